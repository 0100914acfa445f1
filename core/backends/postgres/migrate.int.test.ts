import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { uuidv7 } from '../../events/uuid-v7.js';
import { loadMigrations, migrate, POSTGRES_MIGRATIONS_DIR } from './migrate.js';
import { createPostgresLog } from './postgres-log.js';
import { appendRequest, newMessage } from './test-support.js';

describe('postgres migrate', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const newPool = (url: string): pg.Pool => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database.drop();
  });

  it('applies each file once when several processes start at the same time', async () => {
    const files = await loadMigrations();
    expect(files.map((f) => f.name)).toContain('0001_init.sql');
    // Separate pools, as separate processes would have.
    const results = await Promise.all([1, 2, 3].map(() => migrate(newPool(database.url))));
    expect(results.flat().sort()).toEqual(files.map((f) => f.name));
    const rows = await newPool(database.url).query<{ name: string; checksum: string; applied_at: Date }>(
      'SELECT name, checksum, applied_at FROM scrollback_migrations ORDER BY name',
    );
    expect(rows.rows.map((r) => [r.name, r.checksum])).toEqual(files.map((f) => [f.name, f.checksum]));
    expect(rows.rows.every((r) => r.applied_at instanceof Date)).toBe(true);
    await expect(migrate(newPool(database.url))).resolves.toEqual([]);
  });

  it('refuses to run when an applied file was changed, and applies new files', async () => {
    const other = await createTestDatabase(inject('databaseUrl'));
    const pool = new pg.Pool({ connectionString: other.url, max: 1 });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'scrollback-migrations-'));
      const original = await readFile(join(POSTGRES_MIGRATIONS_DIR, '0001_init.sql'), 'utf8');
      await writeFile(join(dir, '0001_init.sql'), original);
      await expect(migrate(pool, dir)).resolves.toEqual(['0001_init.sql']);

      await writeFile(join(dir, '0002_extra.sql'), 'CREATE TABLE extra (n int);');
      await expect(migrate(pool, dir)).resolves.toEqual(['0002_extra.sql']);

      await writeFile(join(dir, '0001_init.sql'), `${original}\n-- edited\n`);
      await expect(migrate(pool, dir)).rejects.toThrow(/0001_init\.sql was changed/);

      // A failing file leaves nothing behind and is not recorded.
      await writeFile(join(dir, '0001_init.sql'), original);
      await writeFile(join(dir, '0003_broken.sql'), 'CREATE TABLE half (n int); SELECT no_such_function();');
      await expect(migrate(pool, dir)).rejects.toThrow(/0003_broken\.sql failed/);
      const half = await pool.query("SELECT to_regclass('half') AS t");
      expect(half.rows[0]).toEqual({ t: null });
      const names = await pool.query<{ name: string }>('SELECT name FROM scrollback_migrations ORDER BY name');
      expect(names.rows.map((r) => r.name)).toEqual(['0001_init.sql', '0002_extra.sql']);
    } finally {
      await pool.end();
      await other.drop();
    }
  });

  it('upgrades a database written by 0001: UUID message ids stay as they were, and their retries still match', async () => {
    const other = await createTestDatabase(inject('databaseUrl'));
    const pool = new pg.Pool({ connectionString: other.url, max: 1 });
    const log = createPostgresLog({ url: other.url, poolSize: 1 });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'scrollback-migrations-'));
      await writeFile(join(dir, '0001_init.sql'), await readFile(join(POSTGRES_MIGRATIONS_DIR, '0001_init.sql'), 'utf8'));
      await migrate(pool, dir);
      const message = newMessage('written before the upgrade');
      await pool.query(
        `SELECT * FROM scrollback_append('old', 'any', 'u1', $1::uuid, '{}'::jsonb, $2::uuid[], ARRAY['user'], $3::text[], ARRAY['{}'::jsonb], $4::text[], false)`,
        [uuidv7(), [message.id], [message.content], [message.contentHash]],
      );

      await expect(migrate(pool)).resolves.toEqual((await loadMigrations()).map((f) => f.name).filter((name) => name !== '0001_init.sql'));
      const snapshot = await log.tail('old', 10);
      expect(snapshot?.messages.map((m) => [m.id, m.content])).toEqual([[message.id, 'written before the upgrade']]);
      expect(snapshot?.messages[0]).not.toHaveProperty('parts');
      expect((await log.getConversation('old'))?.metadata).toEqual({});
      const retry = await log.append(appendRequest('old', [message]));
      expect(retry).toMatchObject({ outcome: 'already_appended', version: 2 });
      await expect(log.append(appendRequest('old', [newMessage('after', { id: 'msg-not-a-uuid' })]))).resolves.toMatchObject({ version: 3 });
    } finally {
      await log.close();
      await pool.end();
      await other.drop();
    }
  });
});
