/**
 * Forward-only migrations for the SQLite log: `migrations/sqlite/NNNN_name.sql`, applied in name
 * order inside one `BEGIN EXCLUSIVE` transaction, so two processes opening the same file at once
 * cannot both migrate (the second waits on the lock, then finds everything applied). The files are
 * embedded in the code at build time (core/generated/assets.ts), so bundles need no files beside them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { SQLITE_MIGRATIONS, type EmbeddedSqlFile } from '../../generated/assets.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATION_FILE = /^\d{4}_[a-z0-9_-]+\.sql$/;

function toMigration(file: string, sql: string): Migration {
  return { name: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

/** The embedded migrations (the log's, or `embedded`), or those of `dir` when given (tests). */
export function loadMigrations(dir?: string, embedded: readonly EmbeddedSqlFile[] = SQLITE_MIGRATIONS): Migration[] {
  if (dir === undefined) return embedded.map(({ file, sql }) => toMigration(file, sql));
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => toMigration(file, readFileSync(`${dir}/${file}`, 'utf8')));
}

/** Applies pending migrations; returns the names it applied (empty when up to date). */
export function applyMigrations(db: Database, migrations: Migration[] = loadMigrations()): string[] {
  const run = db.transaction((): string[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS scrollback_migrations (
      name       TEXT PRIMARY KEY,
      checksum   TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const applied = new Map(
      db
        .prepare<[], { name: string; checksum: string }>('SELECT name, checksum FROM scrollback_migrations')
        .all()
        .map((row) => [row.name, row.checksum]),
    );
    const record = db.prepare<[string, string, string]>(
      'INSERT INTO scrollback_migrations (name, checksum, applied_at) VALUES (?, ?, ?)',
    );
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        // An edited migration means this database and the code disagree about the schema.
        if (checksum !== migration.checksum) {
          throw new Error(`sqlite migration ${migration.name} was changed after it was applied (checksum differs)`);
        }
        continue;
      }
      db.exec(migration.sql);
      record.run(migration.name, migration.checksum, new Date().toISOString());
      done.push(migration.name);
    }
    return done;
  });
  return run.exclusive();
}

export interface MigrationStatus {
  applied: { name: string; appliedAt: string; changed: boolean }[];
  pending: string[];
}

/** What `applyMigrations` would do, without writing: applied migrations and pending ones. */
export function migrationStatus(db: Database, migrations: Migration[] = loadMigrations()): MigrationStatus {
  const present = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'scrollback_migrations'").get();
  const rows =
    present !== undefined && present.n > 0
      ? db.prepare<[], { name: string; checksum: string; applied_at: string }>('SELECT name, checksum, applied_at FROM scrollback_migrations ORDER BY name').all()
      : [];
  const onDisk = new Map(migrations.map((m) => [m.name, m.checksum]));
  const appliedNames = new Set(rows.map((row) => row.name));
  return {
    applied: rows.map((row) => ({ name: row.name, appliedAt: row.applied_at, changed: onDisk.has(row.name) && onDisk.get(row.name) !== row.checksum })),
    pending: migrations.filter((m) => !appliedNames.has(m.name)).map((m) => m.name),
  };
}
