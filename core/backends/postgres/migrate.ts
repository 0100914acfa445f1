/**
 * Applies the numbered SQL files of `migrations/postgres` that a database lacks (embedded in the
 * code at build time, see core/generated/assets.ts, so bundles need no files beside them). A session-level
 * advisory lock serialises concurrent starters: the second waits, then finds nothing to do. Each
 * file runs in its own transaction together with its row in `scrollback_migrations`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../../generated/assets.js';
import { isUnavailable } from './pg-errors.js';

/** Arbitrary constant shared by every Scrollback process ("sbmigr" in ASCII). */
const MIGRATION_LOCK_KEY = '126943313914994';
/** Migrations may rewrite big tables: not bounded by the pool's query timeout. */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;
const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

function toMigration(name: string, sql: string): MigrationFile {
  return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

/** The embedded migrations, or those of `dir` when given (tests). */
export async function loadMigrations(dir?: string): Promise<MigrationFile[]> {
  if (dir === undefined) return POSTGRES_MIGRATIONS.map(({ file, sql }) => toMigration(file, sql));
  const names = (await readdir(dir)).filter((name) => FILE_PATTERN.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      return toMigration(name, await readFile(join(dir, name), 'utf8'));
    }),
  );
}

/** Returns the names it applied (empty when the database was up to date). */
export async function migrate(pool: pg.Pool, dir?: string): Promise<string[]> {
  const files = await loadMigrations(dir);
  const client = await pool.connect();
  // A connection dying mid-migration fails the pending query; the event itself must not crash us.
  client.on('error', () => undefined);
  const run = (text: string, values: unknown[] = []): Promise<pg.QueryResult> => {
    // query_timeout per query is supported by pg but missing from its QueryConfig type.
    const config: pg.QueryConfig & { query_timeout: number } = { text, values, query_timeout: MIGRATION_TIMEOUT_MS };
    return client.query(config);
  };
  let failure: Error | undefined;
  try {
    await run('SET statement_timeout = 0');
    await run('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await run(`CREATE TABLE IF NOT EXISTS scrollback_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Map<string, string>();
    const rows = await run('SELECT name, checksum FROM scrollback_migrations');
    for (const row of rows.rows as { name: string; checksum: string }[]) applied.set(row.name, row.checksum);

    const done: string[] = [];
    for (const file of files) {
      const checksum = applied.get(file.name);
      if (checksum !== undefined) {
        if (checksum !== file.checksum) {
          throw new Error(
            `migration ${file.name} was changed after it was applied (checksum ${checksum} in the database, ` +
              `${file.checksum} on disk); migrations are forward-only: add a new file instead`,
          );
        }
        continue;
      }
      await run('BEGIN');
      try {
        await run(file.sql);
        await run('INSERT INTO scrollback_migrations (name, checksum) VALUES ($1, $2)', [file.name, file.checksum]);
        await run('COMMIT');
      } catch (error) {
        await run('ROLLBACK').catch(() => undefined);
        // An outage is reported as such by the caller; anything else is this file's fault.
        if (isUnavailable(error)) throw error;
        throw new Error(`migration ${file.name} failed`, { cause: error });
      }
      done.push(file.name);
    }
    await run('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    return done;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // Never reuse this session: on failure it may still hold the lock or sit in a transaction,
    // and even on success it carries statement_timeout = 0. Closing it releases everything.
    client.release(failure ?? true);
  }
}

export interface MigrationStatus {
  applied: { name: string; appliedAt: string; changed: boolean }[];
  pending: string[];
}

/** What `migrate` would do, without taking the lock or writing: applied files and pending ones. */
export async function migrationStatus(pool: pg.Pool, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<MigrationStatus> {
  const files = await loadMigrations(dir);
  const present = await pool.query<{ present: boolean }>("SELECT to_regclass('scrollback_migrations') IS NOT NULL AS present");
  const rows =
    present.rows[0]?.present === true
      ? (await pool.query<{ name: string; checksum: string; applied_at: Date }>('SELECT name, checksum, applied_at FROM scrollback_migrations ORDER BY name')).rows
      : [];
  const onDisk = new Map(files.map((file) => [file.name, file.checksum]));
  const appliedNames = new Set(rows.map((row) => row.name));
  return {
    applied: rows.map((row) => ({ name: row.name, appliedAt: row.applied_at.toISOString(), changed: onDisk.has(row.name) && onDisk.get(row.name) !== row.checksum })),
    pending: files.filter((file) => !appliedNames.has(file.name)).map((file) => file.name),
  };
}
