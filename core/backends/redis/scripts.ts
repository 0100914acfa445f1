/**
 * The cache's Lua scripts (scripts/*.lua, embedded in the code at build time by
 * scripts/embed-assets.ts so bundles need no files beside them), run with EVALSHA and a fallback to EVAL when the
 * server doesn't know them yet (first use, restart, SCRIPT FLUSH). Runs on a plain client without
 * adding commands to it, since the application may have passed its own client.
 */
import { createHash } from 'node:crypto';
import { LUA_SCRIPTS } from '../../generated/assets.js';
import type { RedisClient } from './redis-client.js';

export interface LuaScript {
  name: string;
  source: string;
  sha: string;
}

function read(path: string): string {
  const source = LUA_SCRIPTS[path];
  if (source === undefined) throw new Error(`no embedded Lua script ${path}: run npm run generate:assets`);
  return source;
}

/** A script, with the shared Lua functions it uses prepended (Redis scripts can't import). */
function load(name: string, libraries: readonly string[] = []): LuaScript {
  const source = [...libraries.map((library) => read(`lib/${library}`)), read(name)].join('\n');
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

export const SCRIPTS = {
  read: load('read'),
  append: load('append', ['push-entry']),
  fill: load('fill', ['push-entry']),
  invalidate: load('invalidate'),
  inspect: load('inspect'),
} as const;

export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return await client.eval(script.source, keys.length, ...keys, ...args);
  }
}
