/**
 * Degradation: Redis stopped, hung or restarted mid-run, and PostgreSQL killed. These tests start
 * their own servers, since they kill them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../errors/errors.js';
import { startPostgresCluster, type PostgresCluster } from '../testing/servers/postgres-cluster.js';
import { startRedisServer, type RedisServer } from '../testing/servers/redis-server.js';
import { eventually, newId, user } from '../testing/contract/target.js';
import { openStore } from './open-store.js';
import type { ConversationStore } from './types.js';

// Generous bounds: what matters is that no call waits on a dead server (default timeouts:
// Redis 250 ms per command, PostgreSQL 3 s to connect).
const REDIS_BOUND_MS = 2000;
const POSTGRES_BOUND_MS = 8000;

async function timed<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('degradation', () => {
  let postgres: PostgresCluster;
  let redis: RedisServer;
  let store: ConversationStore;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgresCluster(), startRedisServer()]);
    store = await openStore({ postgres: { url: postgres.url }, redis: { url: redis.url }, cache: { l1: false } });
  });
  afterAll(async () => {
    await store?.close();
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  it('Redis hung (SIGSTOP): appends and tails go on against PostgreSQL, bounded, and nothing stale is served after it returns', async () => {
    const id = newId();
    await store.append(id, user('before'));
    await store.tail(id);
    expect((await store.cache.inspect(id)).verdict).toBe('consistent');

    redis.pause();
    try {
      for (let i = 0; i < 8; i++) {
        const append = await timed(() => store.append(id, user(`during ${i}`)));
        expect(append.error).toBeUndefined();
        expect(append.ms).toBeLessThan(REDIS_BOUND_MS);
        const tail = await timed(() => store.tail(id));
        expect(tail.error).toBeUndefined();
        expect(tail.ms).toBeLessThan(REDIS_BOUND_MS);
        expect(tail.value?.at(-1)?.content).toBe(`during ${i}`);
      }
      expect((await store.health()).status).toBe('degraded');
    } finally {
      redis.resume();
    }
    // Redis still holds the entry at 'before': it must never be served.
    for (let i = 0; i < 5; i++) expect((await store.tail(id)).at(-1)?.content).toBe('during 7');
    await eventually(() => store.stats().backends.redis?.breaker, (state) => state === 'closed');
    await eventually(
      async () => {
        await store.tail(id);
        // Right after SIGCONT, Redis works through the commands that timed out while it hung:
        // the breaker may open again on their latency before it settles.
        return store.cache.inspect(id).then(
          (report) => report.verdict,
          (error: unknown) => (error instanceof BackendUnavailableError ? 'unavailable' : Promise.reject(error)),
        );
      },
      (verdict) => verdict === 'consistent',
    );
    expect((await store.tail(id)).at(-1)?.content).toBe('during 7');
  });

  it('Redis killed and restarted empty: nothing lost, the cache heals', async () => {
    const id = newId();
    await store.append(id, user('one'));
    await redis.kill();
    const during = await timed(() => store.append(id, user('two')));
    expect(during.error).toBeUndefined();
    expect(during.ms).toBeLessThan(REDIS_BOUND_MS);
    expect((await store.tail(id)).map((m) => m.content)).toEqual(['one', 'two']);
    await redis.start();
    await eventually(
      async () => {
        await store.tail(id);
        return (await store.cache.inspect(id).catch(() => null))?.verdict;
      },
      (verdict) => verdict === 'consistent',
    );
    expect((await store.tail(id)).map((m) => m.content)).toEqual(['one', 'two']);
  });

  it('PostgreSQL killed: appends fail fast with BackendUnavailableError and every acknowledged message survives', async () => {
    const id = newId();
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      await store.append(id, user(`ack ${i}`));
      acknowledged.push(`ack ${i}`);
    }
    await postgres.kill();
    try {
      const failed = await timed(() => store.append(id, user('lost?')));
      expect(failed.error).toBeInstanceOf(BackendUnavailableError);
      expect((failed.error as BackendUnavailableError).cause).toBeDefined();
      expect(failed.ms).toBeLessThan(POSTGRES_BOUND_MS);
      const health = await timed(() => store.health());
      expect(health.value?.status).toBe('down');
      expect(health.ms).toBeLessThan(2500);
    } finally {
      await postgres.start();
    }
    const contents = await eventually(
      async () => (await store.read(id).catch(() => null))?.events,
      (events) => events !== undefined,
    );
    expect(contents?.filter((e) => e.type === 'message.appended').map((e) => (e.data as { content: string }).content)).toEqual(acknowledged);
    await store.append(id, user('after'));
    expect((await store.tail(id)).at(-1)?.content).toBe('after');
  });
});
