/**
 * The baselines' new paths against real servers: a floor batch lands in the log and the cache in
 * input order, a whole-history read returns it, and the indexed LangChain table has its index.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { uuidv7 } from '../../events/uuid-v7.js';
import { batch } from '../data.js';
import { PostgresRedisFloor } from './floor.js';
import { LANGCHAIN_INDEXED_TABLE, LangChainPostgres } from './langchain.js';

describe('bench baselines', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let redis: Redis;
  // The Redis server is shared by every test file.
  const conversation = `bench-floor-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis?.del(`floor:{${Buffer.from(conversation).toString('base64url')}}:messages`);
    redis?.disconnect();
    await pool?.end();
    await database?.drop();
  });

  it('floor: a batch is one ordered write to the log and the cache, read back whole', async () => {
    const floor = new PostgresRedisFloor(pool, redis, { maxMessages: 50, ttlSeconds: 60 });
    await floor.migrate();
    const inputs = batch(0, 100).map((m, i) => ({ ...m, id: uuidv7(), ...(i === 3 ? { metadata: { quote: 'it\'s "x"' } } : {}) }));
    const written = await floor.appendBatch(conversation, inputs);
    expect(written.map((m) => m.id)).toEqual(inputs.map((m) => m.id));
    expect(written.map((m) => m.version)).toEqual([...written.map((m) => m.version)].sort((a, b) => a - b));

    const all = await floor.readAll(conversation);
    expect(all).toEqual(written);
    expect(all[3]?.metadata).toEqual({ quote: 'it\'s "x"' });
    expect(await floor.cachedTail(conversation, 50)).toEqual(written.slice(-50));
    expect(await redis.llen(`floor:{${Buffer.from(conversation).toString('base64url')}}:messages`)).toBe(50);
    expect(await floor.readAll(`${conversation}-unknown`)).toEqual([]);
  });

  it('LangChain: the indexed variant is LangChain\'s table plus an index on session_id', async () => {
    const lc = new LangChainPostgres(pool, { tableName: LANGCHAIN_INDEXED_TABLE, indexSessionId: true });
    await lc.migrate();
    const { rows } = await pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [LANGCHAIN_INDEXED_TABLE]);
    expect(rows.map((r) => r.indexdef).some((d) => d.endsWith('(session_id)'))).toBe(true);
    for (const input of batch(0, 3)) await lc.append('s', input);
    expect((await lc.readAll('s')).map((m) => m.content)).toEqual(batch(0, 3).map((m) => m.content));
    expect(await lc.rowCount()).toBe(3);
  });
});
