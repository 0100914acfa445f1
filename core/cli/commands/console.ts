/**
 * `scrollback console`: runs the web console launcher (core/console/cli.ts) in a child process,
 * passing signals on. The console keeps its own list of environments, so the configured store is
 * named on stderr (password masked) for the user to add as one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../console/paths.js';
import { displayUrl } from '../redact.js';
import { write, type CliIo } from '../io.js';

function configuredStore(env: NodeJS.ProcessEnv): string | null {
  const url = env.SCROLLBACK_DATABASE_URL ?? env.DATABASE_URL;
  const redis = env.SCROLLBACK_REDIS_URL ?? env.REDIS_URL;
  if (url) return `PostgreSQL ${displayUrl(url)}${redis ? ` with Redis ${displayUrl(redis)}` : ''}`;
  if (env.SCROLLBACK_SQLITE_PATH) return `SQLite ${env.SCROLLBACK_SQLITE_PATH}`;
  return null;
}

export async function runConsole(io: CliIo, signals: NodeJS.EventEmitter = process): Promise<number> {
  const root = appRoot();
  const launcher = join(root, 'core', 'console', 'cli.ts');
  if (!existsSync(launcher)) {
    await write(io.stderr, 'scrollback: the console is not part of this installation; start it with "npm start" in a Scrollback checkout.\n');
    return 1;
  }
  const store = configuredStore(process.env);
  if (store !== null) await write(io.stderr, `console: add the configured store as an environment in the console: ${store}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', launcher], { cwd: root, stdio: 'inherit', env: process.env });
  const forward = (signal: NodeJS.Signals) => (): void => {
    if (child.exitCode === null) child.kill(signal);
  };
  signals.on('SIGINT', forward('SIGINT'));
  signals.on('SIGTERM', forward('SIGTERM'));
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
  });
}
