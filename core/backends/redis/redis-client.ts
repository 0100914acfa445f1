/**
 * Builds an ioredis client configured to fail fast. Redis is a cache here: when it is down or
 * slow, a call must fail within its timeout so the store can go on against the log, never wait
 * in a queue (ioredis' defaults queue commands through an outage and resend them afterwards).
 *
 * URL forms:
 *   redis://[user:password@]host[:port][/db]          standalone (rediss:// for TLS)
 *   redis+cluster://[user:password@]h1:p1,h2:p2        Cluster seed nodes (rediss+cluster:// for TLS)
 *   redis+sentinel://[user:password@]h1:p1,h2:p2/master[/db]
 *                                                      Sentinel; the credentials are the master's,
 *                                                      a sentinel password goes in ?sentinelPassword=
 *                                                      (rediss+sentinel:// for TLS)
 * IPv6 hosts go in brackets: redis://[::1]:6379.
 */
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { BackendUnavailableError, ValidationError } from '../../errors/errors.js';
import { looksLikeRedisConnection, type RedisConnection } from '../../store/driver-types.js';
import { parseRedisUrl, type HostPort } from './redis-url.js';

export { parseRedisUrl, type HostPort, type ParsedUrl } from './redis-url.js';

// Loaded with the module rather than by a static import, which a bundler would hoist to the top of
// an application's bundle and so load in every mode: ioredis is an optional peer dependency.
const ioredis = await import('ioredis');

export type RedisClient = Redis | Cluster;

/** An application's own client from the config, checked: the public type only names its shape. */
export function toRedisClient(value: RedisConnection): RedisClient {
  if (!looksLikeRedisConnection(value)) throw new ValidationError('redis.client', 'must be an ioredis Redis or Cluster client');
  return value as RedisClient;
}

export interface RedisClientOptions {
  /** Per-command timeout, default 250 ms. */
  commandTimeoutMs?: number;
  /** Connect timeout, default 1000 ms. */
  connectTimeoutMs?: number;
  /**
   * Called for every connection-level error event. The default logs the error's code (never the
   * URL or a password), at most once per 10 s.
   */
  onError?: (error: Error) => void;
}

export type ResolvedRedisOptions =
  | { kind: 'standalone'; options: RedisOptions }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: HostPort[]; options: ClusterOptions };

export const DEFAULT_COMMAND_TIMEOUT_MS = 250;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 2000;

/** Reconnects forever with a capped exponential backoff (50 ms, 100 ms … 2 s). */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, Math.min(attempt - 1, 16)), MAX_RECONNECT_DELAY_MS);
}

/** Commands sent alone on the hot read path: pipelining them only adds work. */
const AUTO_PIPELINING_IGNORED = ['hget'] as const;

export function resolveRedisOptions(url: string, options: RedisClientOptions = {}): ResolvedRedisOptions {
  const commandTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  for (const [field, value] of [['redis.commandTimeoutMs', commandTimeout], ['redis.connectTimeoutMs', connectTimeout]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new ValidationError(field, 'must be a positive integer (ms)');
  }
  const parsed = parseRedisUrl(url);

  const connection: RedisOptions = {
    commandTimeout,
    connectTimeout,
    // Fail fast: no queue while disconnected, pending commands rejected on the first failed
    // reconnect, never resent after a reconnect (a late write could land after newer ones).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    lazyConnect: false,
    enableReadyCheck: true,
    // Commands issued in one event-loop turn leave in one write: the write-throughs of a group
    // commit's appends, resolved together, cost this process and Redis one write and one read.
    // Not the read path's HGET (the strict L1 check), which goes alone and would only pay for
    // the pipeline's bookkeeping. So an HGET can overtake pipelined commands issued earlier in
    // the same turn: whoever reads the head after a write of its own awaits that write first
    // (the tiers and warm-up wait for their pending fills).
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: [...AUTO_PIPELINING_IGNORED],
    ...(parsed.username === undefined ? {} : { username: parsed.username }),
    ...(parsed.password === undefined ? {} : { password: parsed.password }),
    ...(parsed.db === undefined ? {} : { db: parsed.db }),
  };

  if (parsed.mode === 'cluster') {
    const { enableOfflineQueue: _queue, ...redisOptions } = connection;
    void _queue;
    return {
      kind: 'cluster',
      nodes: parsed.hosts,
      options: {
        // Must be set here, at the top level: the Cluster keeps its own offline queue.
        enableOfflineQueue: false,
        enableReadyCheck: true,
        enableAutoPipelining: true,
        autoPipeliningIgnoredCommands: [...AUTO_PIPELINING_IGNORED],
        lazyConnect: false,
        clusterRetryStrategy: reconnectDelay,
        slotsRefreshTimeout: connectTimeout,
        redisOptions: {
          ...redisOptions,
          ...(parsed.tls ? { tls: {} } : {}),
        },
      },
    };
  }

  if (parsed.mode === 'sentinel') {
    return {
      kind: 'sentinel',
      options: {
        ...connection,
        sentinels: parsed.hosts,
        name: parsed.masterName ?? '',
        role: 'master',
        sentinelRetryStrategy: reconnectDelay,
        retryStrategy: reconnectDelay,
        ...(parsed.sentinelPassword === undefined ? {} : { sentinelPassword: parsed.sentinelPassword }),
        ...(parsed.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      },
    };
  }

  const [node] = parsed.hosts;
  return {
    kind: 'standalone',
    options: {
      ...connection,
      host: node?.host ?? '127.0.0.1',
      port: node?.port ?? 6379,
      retryStrategy: reconnectDelay,
      ...(parsed.tls ? { tls: { servername: node?.host } } : {}),
    },
  };
}

/**
 * A connected (connecting) client. Errors on the connection go to `onError`, so an outage never
 * crashes the process with an unhandled 'error' event; commands fail with their own errors.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const resolved = resolveRedisOptions(url, options);
  const client =
    resolved.kind === 'cluster' ? new ioredis.Cluster(resolved.nodes, resolved.options) : new ioredis.Redis(resolved.options);
  client.on('error', options.onError ?? throttledLogger());
  return client;
}

function throttledLogger(): (error: Error) => void {
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 10_000) return;
    last = now;
    const code = (error as { code?: unknown }).code;
    console.warn(`scrollback: redis connection error (${typeof code === 'string' ? code : error.name})`);
  };
}

/**
 * Resolves once the client is ready, or rejects with BackendUnavailableError after `timeoutMs`.
 * With the offline queue off, commands sent before 'ready' fail at once: call this at start-up
 * (and treat a rejection as "start degraded", the client keeps reconnecting).
 */
export function whenReady(client: RedisClient, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.removeListener('ready', onReady);
      reject(new BackendUnavailableError('redis', `not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}
