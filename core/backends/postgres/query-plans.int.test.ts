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
  /** The plan without one of its subplans (by "Subplan Name", e.g. 'CTE rare'). */
  const withoutSubplan = (text: string, name: string): string => {
    const prune = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.filter((n) => (n as { 'Subplan Name'?: string } | null)?.['Subplan Name'] !== name).map(prune);
      if (node === null || typeof node !== 'object') return node;
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, prune(value)]));
    };
    const pruned = JSON.stringify(prune(JSON.parse(text)));
    expect(pruned).not.toBe(text);
    return pruned;
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
    // The 'rare' CTE is read only when the user's recent window holds less than a page of matches.
    // For words as common as these the planner reads message_search whole there, the cheaper plan
    // by its estimate (and always, once the statistics are exact), so that subplan is its call.
    const common = await plan(listSql({ limit: 50, search: 'w12 common', userId: 'seed-user-3' })!);
    expectIndexed(withoutSubplan(common, 'CTE rare'), ['conversations_user_recent', 'message_search_pkey']);
  });

  it('a search answers the same whether the recent window or the GIN index finds its matches', async () => {
    // 20,000 conversations: a word in fewer than a page of the 2,000 most recent sends the search
    // to the index for the older ones; a common word is answered from the window alone.
    type Row = { id: string; last_message_at: Date };
    const everyMatch = async (words: string, userId?: string): Promise<string[]> =>
      (
        await pool.query<Row>(
          `SELECT c.id FROM conversations c
            WHERE c.status = 'active' AND ($2::text IS NULL OR c.user_id = $2)
              AND EXISTS (SELECT 1 FROM message_search s WHERE s.conversation_id = c.id AND s.words @@ to_tsquery('simple', $1))
            ORDER BY c.last_message_at DESC, c.id DESC`,
          [words, userId ?? null],
        )
      ).rows.map((r) => r.id);
    const paged = async (search: string, limit: number, userId?: string): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const query = listSql({ limit, search, ...(userId !== undefined ? { userId } : {}), ...(cursor !== undefined ? { cursor } : {}) })!;
        const rows = (await pool.query<Row>(query.text, query.values)).rows;
        ids.push(...rows.slice(0, limit).map((r) => r.id));
        if (rows.length <= limit) return ids;
        const last = rows[limit - 1]!;
        cursor = encodeListCursor({ lastMessageAt: last.last_message_at.toISOString(), id: last.id });
      }
    };
    // seed-1 … seed-2000 are the most recent: fewer than a page of 5 of them match, so the
    // first page already needs the index, and the later pages come from it alone.
    const rare = await everyMatch('w1234:*');
    expect(rare.length).toBeGreaterThan(10);
    expect(rare.filter((id) => Number(id.slice('seed-'.length)) <= 2000).length).toBeLessThan(5);
    expect(await paged('w1234', 5)).toEqual(rare);
    expect(await paged('w123', 20)).toEqual(await everyMatch('w123:*'));
    expect(await paged('w4999 common', 50)).toEqual(await everyMatch('w4999:* & common:*'));
    expect((await paged('common', 50)).slice(0, 200)).toEqual((await everyMatch('common:*')).slice(0, 200));
    expect(await paged('w12', 10, 'seed-user-3')).toEqual(await everyMatch('w12:*', 'seed-user-3'));
    expect(await paged('nosuchword', 50)).toEqual([]);
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
