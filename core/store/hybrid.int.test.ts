/**
 * Hybrid mode: the cache tiers stay equal to the log under concurrent writers, recover from a
 * write-through that never happened, and L1 entries of other instances are invalidated.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../testing/test-database.js';
import { eventually, newId, user, assistant } from '../testing/contract/target.js';
import { conversationKeys } from '../backends/redis/keys.js';
import { openStore } from './open-store.js';
import type { ConversationStore } from './types.js';

let database: { url: string; drop(): Promise<void> };
const opened: ConversationStore[] = [];

async function hybrid(options: { l1?: boolean; ttlSeconds?: number; maxMessages?: number } = {}): Promise<ConversationStore> {
  const store = await openStore({
    postgres: { url: database.url, poolSize: 4 },
    redis: { url: inject('redisUrl') },
    cache: {
      ...(options.l1 === false ? { l1: false as const } : {}),
      ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
      ...(options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {}),
    },
  });
  opened.push(store);
  return store;
}

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
});
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await database.drop();
});

describe('hybrid cache', () => {
  it('serves a tail from the log once, then from the cache tiers', async () => {
    const store = await hybrid({ l1: false });
    const id = newId();
    await store.append(id, [user('a'), assistant('b')]);
    // A creating append leaves the entry to the first read, which fills it under a lease.
    expect((await store.tailWithSource(id)).source).toBe('log');
    expect((await store.tailWithSource(id)).source).toBe('redis');
    await store.cache.evict(id);
    const first = await store.tailWithSource(id);
    expect(first.source).toBe('log');
    const second = await store.tailWithSource(id);
    expect(second).toMatchObject({ source: 'redis' });
    expect(second.messages).toEqual(first.messages);
    const withL1 = await hybrid();
    await withL1.cache.evict(id);
    expect((await withL1.tailWithSource(id)).source).toBe('log');
    expect((await withL1.tailWithSource(id)).source).toBe('l1');
  });

  it('a miss answers before its refill lands; this instance still reads its own fill, and an evict right after drops it', async () => {
    const store = await hybrid({ l1: false });
    const id = newId();
    await store.append(id, [user('a'), assistant('b')]);
    await store.cache.evict(id);
    expect((await store.tailWithSource(id)).source).toBe('log');
    expect((await store.tailWithSource(id)).source).toBe('redis');
    await store.cache.evict(id);
    expect((await store.tailWithSource(id)).source).toBe('log');
    await store.cache.evict(id);
    expect((await store.cache.inspect(id)).verdict).toBe('missing');
    expect((await store.tailWithSource(id)).source).toBe('log');
  });

  it('keeps the entry trimmed to maxMessages with one sliding TTL on the whole conversation', async () => {
    const store = await hybrid({ maxMessages: 5, ttlSeconds: 120 });
    const id = newId();
    await store.append(id, user('m0'));
    await store.tail(id, 5);
    for (let i = 1; i < 9; i++) await store.append(id, user(`m${i}`));
    const report = await store.cache.inspect(id);
    expect(report.verdict).toBe('consistent');
    expect(report.entry?.messages.map((m) => m.content)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8']);
    expect(report.entry?.ttlSeconds).toBeGreaterThan(0);
    expect(report.entry?.ttlSeconds).toBeLessThanOrEqual(120);
    expect((await store.tail(id, 8)).map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
  });

  it('several instances appending at once leave the cache equal to the log', async () => {
    const stores = await Promise.all([hybrid(), hybrid(), hybrid({ l1: false })]);
    const id = newId();
    await stores[0]!.append(id, user('seed'));
    const writes = Array.from({ length: 45 }, (_, i) => {
      const store = stores[i % stores.length]!;
      return i % 3 === 2 ? store.tail(id) : store.append(id, user(`w${i}`), { expectedVersion: 'any' });
    });
    await Promise.all(writes);
    const before = await stores[0]!.cache.inspect(id);
    expect(['consistent', 'missing']).toContain(before.verdict);
    const log = await stores[1]!.read(id);
    expect(log.events.map((e) => e.version)).toEqual(Array.from({ length: log.version }, (_, i) => i + 1));
    expect(log.version).toBe(2 + 30);
    // A miss refills in the background; the instance that read waits for its own fill.
    await stores[2]!.tail(id);
    expect((await stores[2]!.cache.inspect(id)).verdict).toBe('consistent');
    // Every instance converges on the log's tail (L1 invalidated across instances).
    const expected = (await stores[1]!.read(id, { direction: 'backward', limit: 20 })).events.reverse().map((e) => e.eventId);
    for (const store of stores) {
      await eventually(
        async () => (await store.tail(id)).map((m) => m.id),
        (ids) => JSON.stringify(ids) === JSON.stringify(expected),
      );
    }
  });

  it('an append committed without its write-through (a crash) is caught by the next append', async () => {
    const store = await hybrid({ l1: false });
    // A PostgreSQL-only store writes to the same log without touching Redis: the crash window.
    const crashing = await openStore({ postgres: { url: database.url, poolSize: 2 } });
    opened.push(crashing);
    const id = newId();
    await store.append(id, user('one'));
    await store.tail(id);
    await crashing.append(id, user('two'));
    expect((await store.cache.inspect(id)).verdict).toBe('stale');
    await store.append(id, user('three'));
    expect((await store.cache.inspect(id)).verdict).not.toBe('stale');
    expect((await store.tail(id)).map((m) => m.content)).toEqual(['one', 'two', 'three']);
    expect((await store.cache.inspect(id)).verdict).toBe('consistent');
    expect(store.stats().cacheScripts.gap).toBeGreaterThan(0);
  });

  it('rename, redact and delete drop the entry; a stale fill cannot bring it back', async () => {
    const store = await hybrid({ l1: false });
    const id = newId();
    const { messages } = await store.append(id, [user('secret words'), assistant('ok')]);
    await store.tail(id);
    await store.redact(id, messages[0]!.id, { mode: 'purge', reason: 'test' });
    const report = await store.cache.inspect(id);
    expect(report.verdict).toBe('missing');
    expect(report.fence).toBeGreaterThanOrEqual(report.log.position);
    expect((await store.tail(id)).map((m) => m.content)).toEqual(['ok']);
    expect(JSON.stringify((await store.cache.inspect(id)).entry)).not.toContain('secret');
  });

  it('cache.inspect reports a torn entry; warm and evict repair and drop it', async () => {
    const store = await hybrid({ l1: false });
    const id = newId();
    await store.append(id, user('x'));
    await store.cache.evict(id);
    expect((await store.cache.inspect(id)).verdict).toBe('missing');
    await store.cache.warm(id);
    expect((await store.cache.inspect(id)).verdict).toBe('consistent');
    await store.cache.evict(newId());
    await expect(store.cache.inspect(newId())).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    await expect(store.cache.warm(newId())).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });

  it('cache.inspect calls a message changed in Redis at the same head diverged, naming the message and field', async () => {
    const store = await hybrid({ l1: false });
    const id = newId();
    await store.append(id, user('one'));
    await store.append(id, [assistant('two'), user('three')]);
    const second = (await store.tail(id)).find((message) => message.content === 'two');
    expect((await store.cache.inspect(id)).verdict).toBe('consistent');
    const redis = new Redis(inject('redisUrl'));
    try {
      const list = conversationKeys(id).list;
      const items = await redis.lrange(list, 0, -1);
      const index = items.findIndex((item) => (JSON.parse(item) as { content?: string }).content === 'two');
      expect(index).toBeGreaterThanOrEqual(0);
      const changed = { ...(JSON.parse(items[index]!) as Record<string, unknown>), content: 'tampered' };
      await redis.lset(list, index, JSON.stringify(changed));
    } finally {
      redis.disconnect();
    }
    const report = await store.cache.inspect(id);
    expect(report.verdict).toBe('diverged');
    expect(report.entry?.version).toBe(report.log.version);
    expect(report.differences).toEqual([{ version: second?.version, messageId: second?.id, fields: ['content'] }]);
  });

  it('publishes instance metrics and reads the server view', async () => {
    const store = await hybrid();
    const id = newId();
    await store.append(id, user('x'));
    await store.tail(id);
    const instances = await eventually(() => store.cache.instances(), (list) => list.length > 0);
    expect(instances[0]).toMatchObject({ pid: process.pid });
    const info = await store.cache.serverInfo();
    expect(info?.version).toMatch(/^\d+\./);
    expect(store.stats().tiers.redis).toBeDefined();
    expect((await store.health()).status).toBe('up');
  });

  it("uses an application's own pg.Pool and ioredis client, and leaves them open on close", async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const client = new Redis(inject('redisUrl'), { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    await client.connect();
    try {
      const store = await openStore({ postgres: { pool }, redis: { client } });
      const id = newId();
      await store.append(id, user('shared connections'));
      expect((await store.tailWithSource(id)).messages.map((m) => m.content)).toEqual(['shared connections']);
      await store.close();
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
      await pool.end();
    }
  });

  it('with compressAboveBytes, large messages are stored compressed and read back unchanged', async () => {
    const store = await openStore({
      postgres: { url: database.url, poolSize: 2 },
      redis: { url: inject('redisUrl') },
      cache: { l1: false, compressAboveBytes: 1024 },
    });
    opened.push(store);
    const id = newId();
    const large = 'a chat backend keeps its history here; '.repeat(200);
    await store.append(id, [user('short'), assistant(large)]);
    const fromLog = await store.tail(id);
    const fromRedis = await store.tailWithSource(id);
    expect(fromRedis.source).toBe('redis');
    expect(fromRedis.messages).toEqual(fromLog);
    expect((await store.cache.inspect(id)).verdict).toBe('consistent');
    const client = new Redis(inject('redisUrl'));
    try {
      const items = await client.lrange(`sb:{${Buffer.from(id).toString('base64url')}}:l`, 0, -1);
      expect(items[0]?.startsWith('{')).toBe(true);
      expect(items[1]?.startsWith('~')).toBe(true);
      expect(items[1]?.length).toBeLessThan(large.length / 4);
    } finally {
      client.disconnect();
    }
  });
});
