/**
 * The servers a run measures against: throwaway ones started for the run (the default), or the
 * ones BENCH_DATABASE_URL / BENCH_REDIS_URL name. Each workload gets a database of its own, made
 * here and dropped at the end.
 */
import pg from 'pg';
import { Redis } from 'ioredis';

export interface BenchServers {
  databaseUrl: string;
  redisUrl: string;
  /** Server versions, for the report. */
  versions: { postgres: string; redis: string };
  external: boolean;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startServers(): Promise<BenchServers> {
  const externalDb = process.env.BENCH_DATABASE_URL;
  const externalRedis = process.env.BENCH_REDIS_URL;
  const stops: Array<() => Promise<void>> = [];
  try {
    let databaseUrl: string;
    if (externalDb) databaseUrl = externalDb;
    else {
      // Loaded only when needed, so a run against external servers doesn't need the binaries.
      const { startPostgresCluster } = await import('../testing/servers/postgres-cluster.js');
      const cluster = await startPostgresCluster();
      stops.push(() => cluster.stop());
      databaseUrl = cluster.url;
    }
    let redisUrl: string;
    if (externalRedis) redisUrl = externalRedis;
    else {
      const { startRedisServer } = await import('../testing/servers/redis-server.js');
      const redis = await startRedisServer();
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const created: string[] = [];
    const postgresVersion = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown';
    const redisClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redisClient.connect();
    const info = await redisClient.info('server');
    await redisClient.quit();
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return {
      databaseUrl,
      redisUrl,
      versions: { postgres: postgresVersion, redis: redisVersion },
      external: Boolean(externalDb || externalRedis),
      async createDatabase(name: string): Promise<string> {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.query(`CREATE DATABASE ${name}`);
        created.push(name);
        const url = new URL(databaseUrl);
        url.pathname = `/${name}`;
        return url.toString();
      },
      async stop(): Promise<void> {
        // pg's pool.end() resolves before its sockets close: let the last sessions go first, so
        // the drop doesn't have to terminate anyone (FORCE stays as the last resort).
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
          const { rows } = await admin.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
            [created],
          );
          if ((rows[0]?.n ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
