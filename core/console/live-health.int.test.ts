/**
 * The live snapshot's health check: a Redis that hangs (SIGSTOP) shows as down at once, although
 * no traffic has tripped the breaker and the store's stats still say 'up'.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { startRedisServer, type RedisServer } from '../testing/servers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { liveSnapshot } from './handlers/live.js';

let redis: RedisServer;
let database: TestDatabase;
let store: ConversationStore;
const traffic = { running: false, ratePerSecond: 0, endsAt: null, turns: 0, errors: 0 };

beforeAll(async () => {
  [redis, database] = await Promise.all([startRedisServer(), createTestDatabase(inject('databaseUrl'))]);
  store = await openStore({ postgres: { url: database.url }, redis: { url: redis.url }, logger: { warn: () => undefined, error: () => undefined } });
});
afterAll(async () => {
  redis?.resume();
  await store?.close();
  await Promise.all([redis?.stop(), database?.drop()]);
});

describe('live snapshot health', () => {
  it('reports a hung Redis as down while the stats, with no traffic, still say up', async () => {
    expect((await liveSnapshot('env', store, traffic)).health?.status).toBe('up');
    redis.pause();
    try {
      const started = performance.now();
      const snapshot = await liveSnapshot('env', store, traffic);
      expect(snapshot.local.backends.redis?.status).toBe('up');
      expect(snapshot.health).toMatchObject({ status: 'degraded', backends: { postgres: { status: 'up' }, redis: { status: 'down' } } });
      // Bounded: the health check answers within its 2 s, whatever the server does.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      redis.resume();
    }
  });
});
