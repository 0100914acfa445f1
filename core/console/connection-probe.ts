/**
 * `environments.test`: connects to each backend of a profile with short timeouts and runs one
 * harmless read (SELECT 1, PING, a SQLite pragma). It opens no store, so testing a production
 * profile never migrates or writes anything.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createRedisClient, parseRedisUrl, whenReady } from '../backends/redis/redis-client.js';
import type { EnvironmentTestResult } from './api.js';
import { describeConnectionError } from './connection-errors.js';
import type { ResolvedConnection } from './environments.js';

const CONNECT_TIMEOUT_MS = 3000;

type BackendResult = NonNullable<EnvironmentTestResult['backends']['postgres']>;

function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

export async function probePostgres(url: string): Promise<BackendResult> {
  const parsed = new URL(url);
  const target = `${parsed.hostname}:${parsed.port || '5432'}/${parsed.pathname.replace(/^\//, '')}`;
  const start = performance.now();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: CONNECT_TIMEOUT_MS });
  // A socket error after connect must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { status: 'up', latencyMs: elapsed(start), message: `PostgreSQL answered at ${target}.` };
  } catch (error) {
    const described = describeConnectionError('postgres', error, target);
    return { status: 'down', latencyMs: elapsed(start), error: described.problem, message: described.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PING through the store's own client for the URL, so a Cluster is reached as a Cluster (any seed)
 * and a Sentinel setup through its sentinels to the current master — what the store will do.
 */
export async function probeRedis(url: string): Promise<BackendResult> {
  const parsed = parseRedisUrl(url);
  const seeds = parsed.hosts.map(({ host, port }) => `${host}:${port}`).join(', ');
  const db = parsed.db === undefined ? '' : `/${parsed.db}`;
  const target = parsed.mode === 'sentinel' ? `master "${parsed.masterName ?? ''}"${db} via sentinels ${seeds}` : parsed.mode === 'cluster' ? `cluster seeds ${seeds}` : `${seeds}${db}`;
  const start = performance.now();
  let lastError: unknown;
  const client = createRedisClient(url, {
    commandTimeoutMs: CONNECT_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    onError: (error) => {
      lastError = error;
    },
  });
  try {
    await whenReady(client, CONNECT_TIMEOUT_MS);
    await client.ping();
    return { status: 'up', latencyMs: elapsed(start), message: `Redis answered (${target})${parsed.tls ? ' over TLS' : ''}.` };
  } catch (error) {
    // ioredis reports "Connection is closed" after the real cause arrived on the error event.
    const described = describeConnectionError('redis', lastError ?? error, target);
    return { status: 'down', latencyMs: elapsed(start), error: described.problem, message: described.message };
  } finally {
    client.disconnect();
  }
}

export function probeSqlite(path: string): BackendResult {
  const start = performance.now();
  if (path !== ':memory:' && !existsSync(path)) {
    return {
      status: 'up',
      latencyMs: elapsed(start),
      message: `The SQLite file ${path} does not exist yet: it will be created on first use.`,
    };
  }
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: CONNECT_TIMEOUT_MS });
    try {
      db.pragma('schema_version');
    } finally {
      db.close();
    }
    return { status: 'up', latencyMs: elapsed(start), message: `The SQLite file ${path} opens.` };
  } catch (error) {
    const described = describeConnectionError('sqlite', error, path);
    return { status: 'down', latencyMs: elapsed(start), error: described.problem, message: described.message };
  }
}

export async function probeConnection(connection: ResolvedConnection): Promise<EnvironmentTestResult> {
  const backends: EnvironmentTestResult['backends'] = {};
  const [postgres, redis] = await Promise.all([
    connection.postgres ? probePostgres(connection.postgres.url) : undefined,
    connection.redis ? probeRedis(connection.redis.url) : undefined,
  ]);
  if (postgres) backends.postgres = postgres;
  if (redis) backends.redis = redis;
  if (connection.sqlite) backends.sqlite = probeSqlite(connection.sqlite.path);

  const log = backends.postgres ?? backends.sqlite;
  const logUp = log?.status === 'up';
  const cacheDown = backends.redis !== undefined && backends.redis.status !== 'up';
  const status = !logUp ? 'down' : cacheDown ? 'degraded' : 'up';
  const failures = Object.values(backends).filter((b) => b.status !== 'up');
  const message =
    failures.length === 0
      ? 'Connected: every backend answered.'
      : failures.map((f) => f.message).join(' ') + (status === 'degraded' ? ' The log works; without the cache reads go to the log.' : '');
  return { ok: status === 'up', status, backends, message };
}
