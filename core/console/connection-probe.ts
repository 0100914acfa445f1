/**
 * `environments.test`: connects to each backend of a profile with short timeouts and runs one
 * harmless read (SELECT 1, PING, a SQLite pragma). It opens no store, so testing a production
 * profile never migrates or writes anything.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
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

/** Cluster and Sentinel URLs are probed at their first seed host: both answer PING and AUTH. */
export function redisProbeOptions(url: string): { host: string; port: number; tls: boolean; username?: string; password?: string; db?: number } {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(/:$/, '');
  const options: ReturnType<typeof redisProbeOptions> = {
    host: parsed.hostname,
    port: parsed.port === '' ? (scheme.includes('sentinel') ? 26379 : 6379) : Number(parsed.port),
    tls: scheme.startsWith('rediss'),
  };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (/^\d+$/.test(db) && !scheme.includes('+')) options.db = Number(db);
  return options;
}

export async function probeRedis(url: string): Promise<BackendResult> {
  const options = redisProbeOptions(url);
  const target = `${options.host}:${options.port}`;
  const start = performance.now();
  const client = new Redis({
    host: options.host,
    port: options.port,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(options.tls ? { tls: { servername: options.host } } : {}),
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
    return { status: 'up', latencyMs: elapsed(start), message: `Redis answered at ${target}${options.tls ? ' over TLS' : ''}.` };
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
