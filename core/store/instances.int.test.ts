/**
 * Several store instances in one process, each with its own PostgreSQL pool and Redis
 * connections, as app servers behind a load balancer: a tail that starts after an append resolved
 * on any instance holds that message, with the default (strict) L1, under an eviction storm, and
 * when one writer cannot reach Redis at all.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Logger } from '../logging/logger.js';
import { freePort } from '../testing/servers/free-port.js';
import { startDelayProxy, type DelayProxy } from '../testing/servers/delay-proxy.js';
import { startRedisServer, type RedisServer } from '../testing/servers/redis-server.js';
import { INVALIDATION_CHANNEL } from '../backends/redis/keys.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { eventually, newId, user } from '../testing/contract/target.js';
import type { StoreConfig } from './config.js';
import { openStore } from './open-store.js';
import type { ConversationStore } from './types.js';

let database: TestDatabase;
const opened: ConversationStore[] = [];
const quiet: Logger = { warn: () => undefined, error: () => undefined };

async function instance(redisUrl: string, cache: StoreConfig['cache'] = {}): Promise<ConversationStore> {
  const store = await openStore({ postgres: { url: database.url, poolSize: 3 }, redis: { url: redisUrl }, cache, logger: quiet });
  opened.push(store);
  return store;
}

async function instances(count: number, redisUrl: string, cache: StoreConfig['cache'] = {}): Promise<ConversationStore[]> {
  return Promise.all(Array.from({ length: count }, () => instance(redisUrl, cache)));
}

/** Rounds of: read on B, append on A, read on B (roles rotate); returns the stale reads seen. */
async function hammer(stores: ConversationStore[], conversations: string[], rounds: number): Promise<string[]> {
  const stale: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const id = conversations[round % conversations.length] ?? '';
    const writer = stores[round % stores.length];
    const reader = stores[(round + 1 + (round % (stores.length - 1))) % stores.length];
    if (writer === undefined || reader === undefined || writer === reader) throw new Error('bad rotation');
    // Twice: the second read is served by the reader's L1, which the append then outdates.
    await reader.tail(id);
    await reader.tail(id);
    const written = await writer.append(id, user(`round ${round}`));
    const last = (await reader.tail(id)).at(-1);
    if (last?.id !== written.messages[0]?.id) stale.push(`round ${round}: wanted v${written.version}, got v${last?.version ?? 'none'}`);
  }
  return stale;
}

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
});
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await database.drop();
});

describe('several instances on one Redis and one PostgreSQL', () => {
  it('strict L1 (the default): no tail misses an append acknowledged on another instance', async () => {
    const stores = await instances(4, inject('redisUrl'));
    const conversations = [newId(), newId(), newId()];
    for (const id of conversations) await stores[0]?.append(id, user('first'));
    expect(await hammer(stores, conversations, 400)).toEqual([]);
    // L1 was doing the work: the second read before each append was an L1 hit, confirmed by Redis.
    const l1Hits = stores.reduce((sum, store) => sum + (store.stats().tiers.l1?.hits ?? 0), 0);
    expect(l1Hits).toBeGreaterThan(300);
  });

  it('strict instances publish invalidations but not appends: the L1 entry an append outdates is caught by its Redis check', async () => {
    const [writer, reader] = await instances(2, inject('redisUrl'));
    const bounded = await instance(inject('redisUrl'), { l1: { consistency: 'bounded' } });
    if (writer === undefined || reader === undefined) throw new Error('no instances');
    const subscriber = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    const heard: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push((JSON.parse(message) as { c: string }).c));
    await subscriber.subscribe(INVALIDATION_CHANNEL);
    try {
      const id = newId();
      await writer.append(id, user('first'));
      await reader.tail(id);
      expect((await reader.tailWithSource(id)).source).toBe('l1');
      const written = await writer.append(id, user('second'));
      // Redis delivers in the order it ran the commands: once a later invalidation is heard, a
      // message the appends had sent would have been heard before it.
      const marker = newId();
      await writer.cache.evict(marker);
      await eventually(() => heard, (h) => h.includes(marker));
      expect(heard).not.toContain(id);
      const answer = await reader.tailWithSource(id);
      expect(answer.messages.at(-1)?.id).toBe(written.messages[0]?.id);
      expect(answer.source).toBe('redis');
      // An invalidation is still announced, so other instances drop their copies at once.
      await writer.cache.evict(id);
      await eventually(() => heard, (h) => h.includes(id));
      // And a bounded instance, which trusts the bus, still announces its appends.
      const other = newId();
      await bounded.append(other, user('bounded'));
      await bounded.append(other, user('bounded, again'));
      await eventually(() => heard, (h) => h.includes(other));
    } finally {
      subscriber.disconnect();
    }
  });

  it("in a fleet that mixes the modes, a bounded instance holds a strict instance's append within its ttlMs", async () => {
    const writer = await instance(inject('redisUrl'));
    const reader = await instance(inject('redisUrl'), { l1: { consistency: 'bounded', ttlMs: 300 } });
    const id = newId();
    await writer.append(id, user('first'));
    await eventually(() => reader.tailWithSource(id), (answer) => answer.source === 'l1', 5000);
    const written = await writer.append(id, user('second'));
    // No message tells the reader; its entry, filled before the append, lives out its 300 ms.
    // Reads in between must not keep it alive: the bound is a few TTLs, not the test's patience.
    await eventually(() => reader.tail(id), (messages) => messages.at(-1)?.id === written.messages[0]?.id, 1000);
  });

  it("bounded L1 (opt-in) does serve another instance's write late — the hammer sees it — and catches up within its TTL", async () => {
    const bounded = { l1: { consistency: 'bounded' as const, ttlMs: 500 } };
    // The reader hears the invalidation bus 30 ms late (below the breaker's slow-call bound), as a
    // busy or distant instance may: its L1 hits, trusted in bounded mode and so not checked with
    // Redis, go on serving the old tail.
    const link = await startDelayProxy({ targetPort: Number(new URL(inject('redisUrl')).port), delayMs: 30 });
    try {
      const writer = await instance(inject('redisUrl'), bounded);
      const reader = await instance(link.url(), bounded);
      const conversations = [newId(), newId(), newId()];
      for (const id of conversations) await writer.append(id, user('first'));
      const stale: string[] = [];
      for (let round = 0; round < 9; round++) {
        const id = conversations[round % conversations.length] ?? '';
        await eventually(() => reader.tailWithSource(id), (answer) => answer.source === 'l1', 5000);
        const written = await writer.append(id, user(`round ${round}`));
        if ((await reader.tail(id)).at(-1)?.id !== written.messages[0]?.id) stale.push(id);
      }
      expect(stale.length).toBeGreaterThan(0);
      const id = conversations[0] ?? '';
      const written = await writer.append(id, user('late'));
      await eventually(() => reader.tail(id), (messages) => messages.at(-1)?.id === written.messages[0]?.id, 1000);
    } finally {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await link.stop();
    }
  });

  it('under an eviction storm (maxmemory 2mb, allkeys-lru), no stale tail either', async () => {
    const redis: RedisServer = await startRedisServer({ args: ['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru'] });
    const filler = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    let storming = true;
    const junk = 'x'.repeat(4096);
    // Bounded: stops when the rounds end; each batch is awaited, so memory pressure is constant.
    const storm = (async () => {
      let i = 0;
      while (storming && i < 200_000) {
        const pipeline = filler.pipeline();
        for (let k = 0; k < 50; k++, i++) pipeline.set(`junk:${i}`, junk, 'EX', 60);
        await pipeline.exec();
      }
    })();
    try {
      const stores = await instances(3, redis.url);
      const conversations = Array.from({ length: 10 }, () => newId());
      for (const id of conversations) await stores[0]?.append(id, user('first'));
      expect(await hammer(stores, conversations, 300)).toEqual([]);
      const evicted = Number(/evicted_keys:(\d+)/.exec(await filler.info('stats'))?.[1] ?? 0);
      expect(evicted).toBeGreaterThan(1000);
    } finally {
      storming = false;
      await storm;
      filler.disconnect();
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await redis.stop();
    }
  });
});

describe('an instance that cannot reach Redis', () => {
  it('does not leave the others serving stale entries: within 1 s they hold its appends', async () => {
    const healthy = await instances(2, inject('redisUrl'));
    const deadPort = await freePort();
    const partitioned = await instance(`redis://127.0.0.1:${deadPort}`);
    const conversations = Array.from({ length: 30 }, () => newId());
    for (const id of conversations) {
      await healthy[0]?.append(id, user('before'));
      // Both healthy instances now hold the entry in Redis and L1.
      for (const store of healthy) await store.tail(id);
      for (const store of healthy) await store.tail(id);
    }
    const lags: number[] = [];
    for (const id of conversations) {
      const written = await partitioned.append(id, user('from the partitioned instance'));
      const acknowledgedAt = performance.now();
      for (const store of healthy) {
        // Reads in between keep sliding the TTL: they must not keep the old entry alive.
        await eventually(() => store.tail(id), (messages) => messages.at(-1)?.id === written.messages[0]?.id, 1000);
      }
      lags.push(performance.now() - acknowledgedAt);
    }
    expect(Math.max(...lags)).toBeLessThan(1000);
  });

  it('and after its Redis comes back, nothing stale is served either', async () => {
    const shared = inject('redisUrl');
    const target = Number(new URL(shared).port);
    let link: DelayProxy = await startDelayProxy({ targetPort: target });
    const port = link.port;
    const healthy = await instances(2, shared);
    const writer = await instance(`redis://127.0.0.1:${port}`);
    const conversations = Array.from({ length: 30 }, () => newId());
    const check = async (id: string, expectedId: string | undefined): Promise<void> => {
      for (const store of healthy) {
        await eventually(() => store.tail(id), (messages) => messages.at(-1)?.id === expectedId, 1000);
      }
    };
    for (const id of conversations) {
      const first = await writer.append(id, user('before'));
      for (const store of healthy) await store.tail(id);
      await check(id, first.messages[0]?.id);
    }
    // The link drops: the writer's appends go on against PostgreSQL only.
    await link.stop();
    for (const id of conversations) {
      const written = await writer.append(id, user('cut off'));
      await check(id, written.messages[0]?.id);
    }
    // The link comes back on the same port; the writer reconnects and writes through again.
    link = await startDelayProxy({ targetPort: target, port });
    await eventually(() => writer.stats().backends.redis?.status, (status) => status === 'up', 10_000);
    for (const id of conversations) {
      const written = await writer.append(id, user('reconnected'));
      await check(id, written.messages[0]?.id);
      expect((await writer.tail(id)).at(-1)?.id).toBe(written.messages[0]?.id);
    }
    await link.stop();
  });
});

describe('single-flight misses', () => {
  it('50 concurrent cold tails on one instance read the log once', async () => {
    const [store] = await instances(1, inject('redisUrl'));
    if (store === undefined) throw new Error('no store');
    const id = newId();
    await store.append(id, [user('a'), user('b')]);
    await store.cache.evict(id);
    const before = store.stats().tiers.log;
    const tails = await Promise.all(Array.from({ length: 50 }, () => store.tail(id)));
    const after = store.stats().tiers.log;
    expect(after.hits + after.misses - (before.hits + before.misses)).toBe(1);
    for (const messages of tails) expect(messages.map((m) => m.content)).toEqual(['a', 'b']);
  });

  it('across 4 instances, 50 concurrent cold tails each read the log a few times at most', async () => {
    const stores = await instances(4, inject('redisUrl'));
    const id = newId();
    await stores[0]?.append(id, [user('a'), user('b')]);
    await stores[0]?.cache.evict(id);
    const reads = (): number => stores.reduce((sum, store) => sum + store.stats().tiers.log.hits + store.stats().tiers.log.misses, 0);
    const before = reads();
    const tails = await Promise.all(stores.flatMap((store) => Array.from({ length: 50 }, () => store.tail(id))));
    expect(reads() - before).toBeLessThanOrEqual(4);
    for (const messages of tails) expect(messages.map((m) => m.content)).toEqual(['a', 'b']);
  });

  it('a tail that starts after an append never gets a log read that began before it', async () => {
    const [a, b] = await instances(2, inject('redisUrl'));
    if (a === undefined || b === undefined) throw new Error('no stores');
    for (let round = 0; round < 40; round++) {
      const id = newId();
      await a.append(id, user('first'));
      await b.cache.evict(id);
      // A miss under way on B while A appends; a second tail on B starts after the append.
      const early = b.tail(id);
      const written = await a.append(id, user('second'));
      const late = await b.tail(id);
      await early;
      expect(late.at(-1)?.id).toBe(written.messages[0]?.id);
    }
  });
});

describe('cache.warm with a filter', () => {
  it("pre-loads a user's recent conversations, bounded by limit, and reports what it did", async () => {
    const [store] = await instances(1, inject('redisUrl'));
    if (store === undefined) throw new Error('no store');
    const userId = newId('user');
    // Appends can land within one millisecond; listing breaks ties by id (descending), so these
    // ids sort in append order and "most recent" means the same either way.
    const base = newId();
    const ids = Array.from({ length: 5 }, (_, i) => `${base}-${i}`);
    for (const id of ids) await store.append(id, user('hello'), { userId });
    for (const id of ids) await store.cache.evict(id);
    await store.tail(ids[4] ?? '');
    // The newest one is cached already; three more are filled, the oldest is past the limit.
    const report = await store.cache.warm({ userId, limit: 4 });
    expect(report).toEqual({ warmed: 3, cached: 1, skipped: 0, failed: 0 });
    const verdicts = await Promise.all(ids.map(async (id) => (await store.cache.inspect(id)).verdict));
    expect(verdicts).toEqual(['missing', 'consistent', 'consistent', 'consistent', 'consistent']);
    expect(await store.cache.warm({ userId, since: new Date(Date.now() + 60_000) })).toEqual({ warmed: 0, cached: 0, skipped: 0, failed: 0 });
    await expect(store.cache.warm({ userId, since: 'yesterday' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'since' });
  });
});
