/** The store's contract suite in hybrid mode on a real Redis Cluster and a real Sentinel setup. */
import { afterAll, beforeAll, inject } from 'vitest';
import { describeStoreContract } from '../testing/contract/index.js';
import { startRedisCluster, startRedisSentinel, type RedisTopology } from '../testing/servers/redis-topologies.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { openStore } from './open-store.js';

type Name = 'Cluster' | 'Sentinel';
// A database each: the suite uses some fixed conversation ids.
const databases: Partial<Record<Name, TestDatabase>> = {};
const topologies: Partial<Record<Name, RedisTopology>> = {};
beforeAll(async () => {
  [databases.Cluster, databases.Sentinel, topologies.Cluster, topologies.Sentinel] = await Promise.all([
    createTestDatabase(inject('databaseUrl')),
    createTestDatabase(inject('databaseUrl')),
    startRedisCluster(),
    startRedisSentinel(),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([databases.Cluster?.drop(), databases.Sentinel?.drop(), topologies.Cluster?.stop(), topologies.Sentinel?.stop()]);
});

for (const name of ['Cluster', 'Sentinel'] satisfies Name[]) {
  describeStoreContract({
    name: `hybrid on Redis ${name}`,
    open: (overrides) => {
      const redis = topologies[name];
      const database = databases[name];
      if (redis === undefined || database === undefined) throw new Error(`the Redis ${name} did not start`);
      // A Cluster client is ready once it holds a connection to every node: on a loaded machine
      // that can take longer than the default second, and a store that starts degraded would
      // fail the suite's cache assertions rather than any behaviour of the store.
      return openStore({ postgres: { url: database.url, poolSize: 4 }, redis: { url: redis.url, connectTimeoutMs: 5000 }, ...overrides });
    },
  });
}
