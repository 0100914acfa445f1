import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';

describe('openStore', () => {
  const saved = { ...process.env };
  const dirs: string[] = [];
  afterEach(() => {
    process.env = { ...saved };
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the environment when given no config, and a config object replaces it entirely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrollback-env-'));
    dirs.push(dir);
    for (const name of ['SCROLLBACK_DATABASE_URL', 'DATABASE_URL', 'SCROLLBACK_REDIS_URL', 'REDIS_URL']) delete process.env[name];
    process.env.SCROLLBACK_SQLITE_PATH = join(dir, 'from-env.sqlite');
    process.env.SCROLLBACK_CACHE_MAX_MESSAGES = '7';
    const fromEnv = await openStore();
    expect(fromEnv.mode).toBe('embedded');
    await fromEnv.append('c', { role: 'user', content: 'hi' });
    await fromEnv.close();

    // The environment still names a database, but the explicit object wins.
    const explicit = await openStore({ sqlite: { path: join(dir, 'explicit.sqlite') } });
    expect(await explicit.getConversation('c')).toBeNull();
    await explicit.close();

    const again = await openStore();
    expect((await again.tail('c')).map((m) => m.content)).toEqual(['hi']);
    await again.close();
  });

  it('refuses a bad environment with a ValidationError naming the variable', async () => {
    for (const name of ['SCROLLBACK_DATABASE_URL', 'DATABASE_URL', 'SCROLLBACK_REDIS_URL', 'REDIS_URL']) delete process.env[name];
    process.env.SCROLLBACK_SQLITE_PATH = ':memory:';
    process.env.SCROLLBACK_CACHE_TTL_SECONDS = 'soon';
    await expect(openStore()).rejects.toMatchObject({ code: 'VALIDATION', field: 'SCROLLBACK_CACHE_TTL_SECONDS' });
  });
});
