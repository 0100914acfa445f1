/**
 * `scrollback migrate [--status]`: applies the log's pending migrations (what `openStore()` does on
 * open) and names them; `--status` only reports, without the lock and without writing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';
import { migrate as migratePostgres, migrationStatus as postgresStatus, type MigrationStatus } from '../../backends/postgres/migrate.js';
import { mapPgError } from '../../backends/postgres/pg-errors.js';
import { loadBackend } from '../../store/backend-loader.js';
import { resolvedEnvironment } from '../environment.js';

type SqliteMigrations = typeof import('../../backends/sqlite/migrate.js');
import { write, type CliIo } from '../io.js';

// Each driver loads only for the backend that needs it: a PostgreSQL install has no better-sqlite3.
async function sqlite<T>(path: string, readonly: boolean, work: (db: SqliteDatabase.Database, migrations: SqliteMigrations) => T): Promise<T> {
  const SqliteDatabase = await loadBackend('better-sqlite3', 'SQLite', async () => createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3'));
  const [migrations, { toBackendError }] = await Promise.all([import('../../backends/sqlite/migrate.js'), import('../../backends/sqlite/sqlite-errors.js')]);
  if (!readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: SqliteDatabase.Database | undefined;
  try {
    db = new SqliteDatabase(path, { readonly, fileMustExist: readonly, timeout: 5000 });
    if (!readonly) db.pragma('journal_mode = WAL');
    return work(db, migrations);
  } catch (error) {
    throw toBackendError(error);
  } finally {
    db?.close();
  }
}

async function postgres<T>(url: string, connectTimeoutMs: number, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const { default: driver } = await loadBackend('pg', 'PostgreSQL', () => import('pg'));
  const pool = new driver.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: connectTimeoutMs, application_name: 'scrollback-migrate' });
  // An idle client dropped by the server: the next query reports it; the event must not crash us.
  pool.on('error', () => undefined);
  try {
    return await work(pool);
  } catch (error) {
    throw mapPgError(error);
  } finally {
    await pool.end();
  }
}

function formatStatus(status: MigrationStatus, where: string): string {
  const lines = [`Migrations of ${where}:`];
  for (const m of status.applied) lines.push(`  applied  ${m.name}  ${m.appliedAt}${m.changed ? '  (changed on disk since!)' : ''}`);
  for (const name of status.pending) lines.push(`  pending  ${name}`);
  lines.push(status.pending.length === 0 ? 'Up to date.' : `${status.pending.length} pending: run "scrollback migrate".`);
  return `${lines.join('\n')}\n`;
}

export async function runMigrate(command: { status: boolean }, io: CliIo): Promise<number> {
  const config = resolvedEnvironment();
  const where = config.sqlite !== undefined ? `SQLite ${config.sqlite.path}` : 'PostgreSQL';
  if (command.status) {
    let status: MigrationStatus;
    if (config.sqlite !== undefined) {
      const { path } = config.sqlite;
      // A file that does not exist yet has every migration pending; --status must not create it.
      status = path !== ':memory:' && !existsSync(path) ? await sqlite(':memory:', false, (db, m) => m.migrationStatus(db)) : await sqlite(path, true, (db, m) => m.migrationStatus(db));
    } else {
      const { url, connectTimeoutMs } = config.postgres ?? {};
      if (url === undefined || connectTimeoutMs === undefined) throw new Error('unreachable: resolveConfig requires a log');
      status = await postgres(url, connectTimeoutMs, (pool) => postgresStatus(pool));
    }
    await write(io.stdout, formatStatus(status, where));
    return 0;
  }
  let applied: string[];
  if (config.sqlite !== undefined) {
    applied = await sqlite(config.sqlite.path, false, (db, m) => m.applyMigrations(db));
  } else {
    const { url, connectTimeoutMs } = config.postgres ?? {};
    if (url === undefined || connectTimeoutMs === undefined) throw new Error('unreachable: resolveConfig requires a log');
    applied = await postgres(url, connectTimeoutMs, (pool) => migratePostgres(pool));
  }
  await write(io.stdout, applied.length === 0 ? `${where}: up to date.\n` : `${where}: applied ${applied.join(', ')}.\n`);
  return 0;
}
