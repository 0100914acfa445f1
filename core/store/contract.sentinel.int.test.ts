/** The store's contract suite in hybrid mode on a real Redis Sentinel (started for this file). */
import { afterAll, beforeAll, inject } from 'vitest';
import { describeStoreContract } from '../testing/contract/index.js';
import { startRedisSentinel, type RedisTopology } from '../testing/servers/redis-topologies.js';
import { createTestDatabase } from '../testing/test-database.js';
import { openStore } from './open-store.js';

let database: { url: string; drop(): Promise<void> };
let redis: RedisTopology;
beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(inject('databaseUrl')), startRedisSentinel()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([database?.drop(), redis?.stop()]);
});

describeStoreContract({
  name: 'hybrid on Redis Sentinel',
  open: (overrides) => openStore({ postgres: { url: database.url, poolSize: 4 }, redis: { url: redis.url }, ...overrides }),
});
