/**
 * Vitest global setup for integration tests: one throwaway PostgreSQL cluster and one Redis server
 * per run, on free loopback ports (or the servers TEST_DATABASE_URL / TEST_REDIS_URL name). Each
 * test file makes its own database (see test-database.ts) and uses fresh conversation ids, so files
 * share no state. Tests that kill servers start their own.
 */
import type { TestProject } from 'vitest/node';
import { startPostgresCluster, type PostgresCluster } from './servers/postgres-cluster.js';
import { startRedisServer, type RedisServer } from './servers/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: PostgresCluster | undefined;
  let redis: RedisServer | undefined;
  const databaseUrl = process.env.TEST_DATABASE_URL ?? (cluster = await startPostgresCluster()).url;
  const redisUrl = process.env.TEST_REDIS_URL ?? (redis = await startRedisServer()).url;
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await Promise.all([cluster?.stop(), redis?.stop()]);
  };
}
