/**
 * Store configuration: a config object, else the environment (never both: explicit beats ambient).
 * Which backends are configured picks the mode.
 */
import { ValidationError } from '../errors/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../events/limits.js';
import { DEFAULT_BREAKER_SETTINGS, checkBreakerSettings, type BreakerSettings } from '../backends/redis/circuit-breaker.js';
import type { SqliteDurability } from '../backends/sqlite/durability.js';
import type { Logger } from '../logging/logger.js';
import { parseRedisUrl } from '../backends/redis/redis-url.js';
import type { TelemetryOptions } from '../observability/telemetry-types.js';
import type { PostgresPool, RedisConnection } from './driver-types.js';
import type { StoreMode } from './types.js';

export interface StoreConfig {
  /** The log of record. `pool`: an application's own `pg.Pool` (not ended by `close()`). */
  postgres?: { url?: string; pool?: PostgresPool; poolSize?: number; connectTimeoutMs?: number; queryTimeoutMs?: number };
  /**
   * The shared cache. `client`: an application's own ioredis client (not closed by `close()`).
   * `connectTimeoutMs` (default 1000): how long a connection attempt may take, and how long
   * `openStore` waits for Redis before it starts degraded (the log answering) and keeps trying.
   * `breaker`: when Redis counts as down or too slow to use (defaults: open after 5 failures in a
   * row, or, over the last 20 calls within 10 s and once 10 are in, at half of them failing or a
   * fifth slower than 50 ms; probe with PING every second).
   */
  redis?: { url?: string; client?: RedisConnection; commandTimeoutMs?: number; connectTimeoutMs?: number; breaker?: Partial<BreakerSettings> };
  /**
   * SQLite, a file path (or ':memory:'): the embedded log alone, or beside `postgres` the offline
   * outbox (mode 'hybrid+fallback') that takes appends while PostgreSQL is unreachable.
   * `durability`: 'full' (default, `synchronous=FULL`: an acknowledged write is on disk) or
   * 'normal' (WAL's faster `synchronous=NORMAL`, which can lose the last commits on power loss).
   */
  sqlite?: { path: string; durability?: SqliteDurability };
  cache?: {
    /** Sliding TTL of a cached conversation (default 3600). */
    ttlSeconds?: number;
    /** Messages kept per cached conversation (default 50); larger tails read the log. */
    maxMessages?: number;
    /**
     * Cached messages whose JSON is longer than this are stored compressed in Redis (DEFLATE,
     * base64). Off by default (`false`): measured on 64 KiB messages it saved 40 % of Redis memory
     * but doubled the time of a Redis-tier hit. For a memory-bound Redis, e.g. 32768. Readers
     * handle both either way.
     */
    compressAboveBytes?: number | false;
    /**
     * The in-process tier in front of Redis (hybrid mode): false to turn it off. `consistency`:
     * 'strict' (default) serves an entry only after one Redis command confirms it is still the
     * cached head, so no instance answers older than an append acknowledged anywhere; 'bounded'
     * trusts pub/sub invalidation alone, so another instance's write can be missed for up to
     * `ttlMs` (default 2000) — for deployments with sticky sessions. Only bounded instances
     * publish their appends (strict ones publish invalidations only), so run one mode per fleet.
     */
    l1?: false | { ttlMs?: number; maxEntries?: number; consistency?: 'strict' | 'bounded' };
  };
  limits?: Partial<Limits>;
  /** How often this instance publishes its metrics to Redis (default 5000 ms). */
  metrics?: { publishIntervalMs?: number };
  /** Where warnings go (default: JSON lines on stderr). Never given message content or secrets. */
  logger?: Logger;
  /**
   * Opens without migrating and refuses every write (`ReadOnlyError`), cache fills and TTL slides
   * included: tails read the log. For looking at production.
   */
  readOnly?: boolean;
  /**
   * OpenTelemetry (`@opentelemetry/api` objects): `meter` records `db.client.operation.duration`
   * per backend call and `scrollback.cache.requests` per tier lookup; `tracer` puts a span carrying
   * `gen_ai.conversation.id` around each store call.
   */
  telemetry?: TelemetryOptions;
}

export interface ResolvedConfig {
  mode: StoreMode;
  postgres?: { url?: string; pool?: PostgresPool; poolSize: number; connectTimeoutMs: number; queryTimeoutMs: number };
  redis?: { url?: string; client?: RedisConnection; commandTimeoutMs: number; connectTimeoutMs: number; breaker: BreakerSettings };
  sqlite?: { path: string; durability: SqliteDurability };
  cache: { ttlSeconds: number; maxMessages: number; compressAboveBytes: number; l1: false | { ttlMs: number; maxEntries: number; consistency: 'strict' | 'bounded' } };
  limits: Limits;
  metrics: { publishIntervalMs: number };
  logger?: Logger;
  readOnly: boolean;
  telemetry?: TelemetryOptions;
}

type Env = Record<string, string | undefined>;

function positiveInt(field: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new ValidationError(field, `must be an integer from 1 to ${max}`);
  }
  return number;
}

function checkUrl(field: string, value: unknown, protocols: readonly string[]): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must be a URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    // The URL may hold a password: never echo it.
    throw new ValidationError(field, 'is not a valid URL', { cause: error instanceof Error ? new Error(error.name) : undefined });
  }
  if (!protocols.includes(url.protocol)) throw new ValidationError(field, `must use ${protocols.join(' or ')}`);
  if (url.hostname === '' && !url.searchParams.has('host')) throw new ValidationError(field, 'must name a host');
  return value;
}

function consistencyOf(value: unknown): 'strict' | 'bounded' {
  if (value === undefined) return 'strict';
  if (value !== 'strict' && value !== 'bounded') throw new ValidationError('cache.l1.consistency', "must be 'strict' or 'bounded'");
  return value;
}

/** Reads `StoreConfig` from the environment variables the README lists. */
export function configFromEnvironment(env: Env = process.env): StoreConfig {
  const databaseUrl = env.SCROLLBACK_DATABASE_URL ?? env.DATABASE_URL;
  const redisUrl = env.SCROLLBACK_REDIS_URL ?? env.REDIS_URL;
  const sqlitePath = env.SCROLLBACK_SQLITE_PATH;
  return {
    ...(databaseUrl ? { postgres: { url: databaseUrl } } : {}),
    ...(redisUrl ? { redis: { url: redisUrl } } : {}),
    ...(sqlitePath ? { sqlite: { path: sqlitePath } } : {}),
    cache: {
      ttlSeconds: positiveInt('SCROLLBACK_CACHE_TTL_SECONDS', env.SCROLLBACK_CACHE_TTL_SECONDS, 3600),
      maxMessages: positiveInt('SCROLLBACK_CACHE_MAX_MESSAGES', env.SCROLLBACK_CACHE_MAX_MESSAGES, 50),
    },
  };
}

function breakerSettings(value: unknown): BreakerSettings {
  if (value === undefined) return { ...DEFAULT_BREAKER_SETTINGS };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError('redis.breaker', 'must be an object');
  // A misspelt threshold would otherwise be ignored without a word.
  const unknown = Object.keys(value).find((key) => !Object.hasOwn(DEFAULT_BREAKER_SETTINGS, key));
  if (unknown !== undefined) throw new ValidationError(`redis.breaker.${unknown.slice(0, 40)}`, 'is not a breaker setting');
  return checkBreakerSettings(value as Partial<BreakerSettings>, 'redis.breaker');
}

function hasFunctions(value: object, names: readonly string[]): boolean {
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

function telemetryOf(value: unknown): TelemetryOptions | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError('telemetry', 'must be an object');
  const { meter, tracer } = value as { meter?: unknown; tracer?: unknown };
  if (meter !== undefined && (meter === null || typeof meter !== 'object' || !hasFunctions(meter, ['createHistogram', 'createCounter']))) {
    throw new ValidationError('telemetry.meter', 'must be an OpenTelemetry Meter');
  }
  if (tracer !== undefined && (tracer === null || typeof tracer !== 'object' || !hasFunctions(tracer, ['startActiveSpan']))) {
    throw new ValidationError('telemetry.tracer', 'must be an OpenTelemetry Tracer');
  }
  return value as TelemetryOptions;
}

const REDIS_PROTOCOLS = ['redis:', 'rediss:', 'redis+cluster:', 'rediss+cluster:', 'redis+sentinel:', 'rediss+sentinel:'] as const;

/** Validates a config object and fills in defaults. */
export function resolveConfig(config: StoreConfig): ResolvedConfig {
  if (config === null || typeof config !== 'object') throw new ValidationError('config', 'must be an object');
  const { postgres, redis, sqlite } = config;
  if (redis !== undefined && postgres === undefined) throw new ValidationError('redis', 'the Redis cache needs postgres as its log');
  if (postgres === undefined && sqlite === undefined) {
    throw new ValidationError('config', 'configure postgres (SCROLLBACK_DATABASE_URL) or sqlite (SCROLLBACK_SQLITE_PATH)');
  }
  if (postgres !== undefined && postgres.pool === undefined) checkUrl('postgres.url', postgres.url, ['postgres:', 'postgresql:']);
  if (redis !== undefined && redis.client === undefined) {
    if (typeof redis.url !== 'string' || redis.url.length === 0) throw new ValidationError('redis.url', 'must be a URL');
    // The store's own parser: Cluster and Sentinel URLs list several hosts, which WHATWG URL refuses.
    parseRedisUrl(redis.url);
  }
  if (sqlite !== undefined && (typeof sqlite.path !== 'string' || sqlite.path.length === 0 || sqlite.path.includes('\u0000'))) {
    throw new ValidationError('sqlite.path', 'must be a file path');
  }
  if (sqlite?.durability !== undefined && sqlite.durability !== 'full' && sqlite.durability !== 'normal') {
    throw new ValidationError('sqlite.durability', "must be 'full' or 'normal'");
  }
  // The outbox must outlive the process that queued into it: an in-memory one would lose writes.
  if (postgres !== undefined && sqlite !== undefined && sqlite.path === ':memory:') {
    throw new ValidationError('sqlite.path', 'the fallback outbox beside postgres must be a file path');
  }

  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    limits[key] = positiveInt(`limits.${key}`, config.limits?.[key], DEFAULT_LIMITS[key]);
  }
  const l1 = config.cache?.l1;
  const telemetry = telemetryOf(config.telemetry);
  const mode: StoreMode =
    postgres === undefined ? 'embedded' : sqlite !== undefined ? 'hybrid+fallback' : redis !== undefined ? 'hybrid' : 'postgres';
  return {
    mode,
    ...(postgres
      ? {
          postgres: {
            ...(postgres.url !== undefined ? { url: postgres.url } : {}),
            ...(postgres.pool !== undefined ? { pool: postgres.pool } : {}),
            poolSize: positiveInt('postgres.poolSize', postgres.poolSize, 10, 1000),
            connectTimeoutMs: positiveInt('postgres.connectTimeoutMs', postgres.connectTimeoutMs, 3000),
            queryTimeoutMs: positiveInt('postgres.queryTimeoutMs', postgres.queryTimeoutMs, 5000),
          },
        }
      : {}),
    ...(redis
      ? {
          redis: {
            ...(redis.url !== undefined ? { url: redis.url } : {}),
            ...(redis.client !== undefined ? { client: redis.client } : {}),
            commandTimeoutMs: positiveInt('redis.commandTimeoutMs', redis.commandTimeoutMs, 250),
            connectTimeoutMs: positiveInt('redis.connectTimeoutMs', redis.connectTimeoutMs, 1000),
            breaker: breakerSettings(redis.breaker),
          },
        }
      : {}),
    ...(sqlite ? { sqlite: { path: sqlite.path, durability: sqlite.durability ?? 'full' } } : {}),
    cache: {
      ttlSeconds: positiveInt('cache.ttlSeconds', config.cache?.ttlSeconds, 3600),
      maxMessages: positiveInt('cache.maxMessages', config.cache?.maxMessages, 50, 10_000),
      compressAboveBytes:
        config.cache?.compressAboveBytes === undefined || config.cache.compressAboveBytes === false
          ? 0
          : positiveInt('cache.compressAboveBytes', config.cache.compressAboveBytes, 0),
      l1:
        l1 === false
          ? false
          : {
              ttlMs: positiveInt('cache.l1.ttlMs', l1?.ttlMs, 2000),
              maxEntries: positiveInt('cache.l1.maxEntries', l1?.maxEntries, 10_000),
              consistency: consistencyOf(l1?.consistency),
            },
    },
    limits,
    metrics: { publishIntervalMs: positiveInt('metrics.publishIntervalMs', config.metrics?.publishIntervalMs, 5000) },
    ...(config.logger !== undefined ? { logger: config.logger } : {}),
    readOnly: config.readOnly === true,
    ...(telemetry !== undefined ? { telemetry } : {}),
  };
}
