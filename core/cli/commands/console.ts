/**
 * `scrollback console`: serves the web console (core/console/cli.ts) in this process, from a
 * checkout or an install alike. The console keeps its own list of environments, so the configured
 * store is named on stderr (password masked) for the user to add as one.
 */
import { isMissingPackage } from '../../store/backend-loader.js';
import { displayUrl } from '../redact.js';
import { write, type CliIo } from '../io.js';

function configuredStore(env: NodeJS.ProcessEnv): string | null {
  const url = env.SCROLLBACK_DATABASE_URL ?? env.DATABASE_URL;
  const redis = env.SCROLLBACK_REDIS_URL ?? env.REDIS_URL;
  if (url) return `PostgreSQL ${displayUrl(url)}${redis ? ` with Redis ${displayUrl(redis)}` : ''}`;
  if (env.SCROLLBACK_SQLITE_PATH) return `SQLite ${env.SCROLLBACK_SQLITE_PATH}`;
  return null;
}

/** Serves the console in this process until SIGINT/SIGTERM (the launcher handles both). */
export async function runConsole(io: CliIo): Promise<number> {
  const store = configuredStore(process.env);
  if (store !== null) await write(io.stderr, `console: add the configured store as an environment in the console: ${store}\n`);
  try {
    // The launcher starts the server on import and keeps the process alive until a signal.
    await import('../../console/cli.js');
  } catch (error) {
    const missing = ['pg', 'ioredis', 'better-sqlite3'].find((name) => isMissingPackage(error, name));
    if (missing === undefined) throw error;
    await write(io.stderr, `scrollback: the console needs pg, ioredis and better-sqlite3: npm install ${missing} (and any other of them missing)\n`);
    return 1;
  }
  return new Promise<number>(() => undefined);
}
