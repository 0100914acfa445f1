import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { encodeListCursor } from './cursors.js';
import { migrate } from './migrate.js';
import { END_CHECKPOINT_SQL, listSql, READ_ALL_SQL, readSql, TAIL_SQL, type SqlQuery } from './queries.js';
import { seedVolume } from './test-support.js';

// The reads must stay index-driven as the log grows: no sequential scan, and the indexes meant for
// each query. 20,000 conversations (60,000 events) make a seq scan + sort clearly the worse plan.
describe('postgres log query plans', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await migrate(pool);
    await seedVolume((sql, values) => pool.query(sql, values), 'seed', 20_000, 3);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const plan = async ({ text, values }: SqlQuery): Promise<string> => {
    const result = await pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
    return JSON.stringify(result.rows[0]?.['QUERY PLAN']);
  };
  const expectIndexed = (text: string, indexes: string[]): void => {
    expect(text).not.toContain('"Seq Scan"');
    for (const index of indexes) expect(text).toContain(`"Index Name":"${index}"`);
  };

  it('tail walks (conversation_id, version) backwards', async () => {
    expectIndexed(await plan({ text: TAIL_SQL, values: ['seed-42', 20] }), ['conversations_pkey', 'events_conversation_version']);
  });

  it('read uses (conversation_id, version)', async () => {
    expectIndexed(await plan({ text: readSql('backward'), values: ['seed-42', 1, 100, 50] }), ['events_conversation_version']);
  });

  it('listing walks the recency indexes, with and without user and cursor', async () => {
    const cursor = encodeListCursor({ lastMessageAt: new Date(Date.now() - 5_000_000).toISOString(), id: 'seed-5000' });
    expectIndexed(await plan(listSql({ limit: 50 })!), ['conversations_recent']);
    expectIndexed(await plan(listSql({ limit: 50, cursor })!), ['conversations_recent']);
    expectIndexed(await plan(listSql({ limit: 50, userId: 'seed-user-7' })!), ['conversations_user_recent']);
    expectIndexed(await plan(listSql({ limit: 50, userId: 'seed-user-7', cursor })!), ['conversations_user_recent']);
  });

  it('search goes through the full-text indexes', async () => {
    expectIndexed(await plan(listSql({ limit: 50, search: 'w1234' })!), ['conversations_title_tsv', 'message_search_words']);
    expectIndexed(await plan(listSql({ limit: 50, search: 'w12 common', userId: 'seed-user-3' })!), ['conversations_user_recent', 'message_search_pkey']);
  });

  it('a metadata filter goes through the partial GIN index', async () => {
    // A quarter of the conversations carry metadata, in 100 tenants: one tenant is 50 of 20,000.
    await pool.query(
      `UPDATE conversations SET metadata = jsonb_build_object('tenant', 't' || (substr(id, 6)::int % 100), 'plan', 'pro')
        WHERE id LIKE 'seed-%' AND substr(id, 6)::int % 4 = 0`,
    );
    await pool.query('ANALYZE conversations');
    expectIndexed(await plan(listSql({ limit: 50, metadata: { tenant: 't8' } })!), ['conversations_metadata']);
    expectIndexed(await plan(listSql({ limit: 50, metadata: { tenant: 't8', plan: 'pro' }, userId: 'seed-user-8' })!), []);
  });

  it('the global feed follows (tx, position)', async () => {
    expectIndexed(await plan({ text: READ_ALL_SQL, values: ['0', '0', 500] }), ['events_pkey']);
    expectIndexed(await plan({ text: END_CHECKPOINT_SQL, values: [] }), ['events_pkey']);
  });
});
