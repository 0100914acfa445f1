/**
 * What hybrid mode adds around the log: the Redis client and cache tier, the in-process L1 with
 * its cross-instance invalidation, and the publisher of this instance's metrics.
 */
import type { Redis } from 'ioredis';
import { createInstanceRegistry } from '../backends/redis/instance-registry.js';
import { createRedisCache, type RedisCache } from '../backends/redis/redis-cache.js';
import { createRedisClient, toRedisClient, whenReady, type RedisClient } from '../backends/redis/redis-client.js';
import { fetchServerInfo } from '../backends/redis/server-info.js';
import { createInvalidationBus, type InvalidationBus } from '../cache/invalidation-bus.js';
import { createL1Cache } from '../cache/l1-cache.js';
import type { L1Tier } from '../cache/tiered-cache.js';
import { describeError, type Logger } from '../logging/logger.js';
import { createEventLoopLag } from '../metrics/event-loop-lag.js';
import type { InstanceStats, RedisServerInfo } from '../metrics/types.js';
import type { ResolvedConfig } from './config.js';

export interface HybridParts {
  cache: RedisCache;
  l1: L1Tier | null;
  bus: InvalidationBus | null;
  instances(): Promise<InstanceStats[]>;
  serverInfo(): Promise<RedisServerInfo>;
  ping(): Promise<void>;
  /** Starts publishing this instance's metrics. */
  start(self: () => InstanceStats): void;
  close(): Promise<void>;
}

export async function openHybridParts(config: ResolvedConfig, logger: Logger, instanceId: string): Promise<HybridParts | null> {
  const redis = config.redis;
  if (redis === undefined) return null;
  const owned = redis.client === undefined;
  const url = redis.url ?? '';
  let lastErrorLog = 0;
  const client: RedisClient =
    (redis.client === undefined ? undefined : toRedisClient(redis.client)) ??
    createRedisClient(url, {
      commandTimeoutMs: redis.commandTimeoutMs,
      connectTimeoutMs: redis.connectTimeoutMs,
      // ioredis reports every failed reconnect: one line per 10 s is enough during an outage.
      onError: (error) => {
        if (Date.now() - lastErrorLog < 10_000) return;
        lastErrorLog = Date.now();
        logger.warn('redis connection error', describeError(error));
      },
    });
  // With no offline queue, commands sent before the connection is ready fail at once and would
  // count against the breaker: wait up to the connect timeout, then start degraded if Redis isn't there.
  await whenReady(client, redis.connectTimeoutMs).catch((error: unknown) => logger.warn('redis not ready; starting degraded', describeError(error)));
  const lag = createEventLoopLag();
  const cache = createRedisCache({
    client,
    lagMs: lag.lagMs,
    maxMessages: config.cache.maxMessages,
    ttlSeconds: config.cache.ttlSeconds,
    compressAboveBytes: config.cache.compressAboveBytes,
    breakerSettings: redis.breaker,
  });
  const registry = createInstanceRegistry({ client });

  let l1: L1Tier | null = null;
  let bus: InvalidationBus | null = null;
  if (config.cache.l1 !== false) {
    const { consistency } = config.cache.l1;
    const l1Cache = createL1Cache({ ttlMs: config.cache.l1.ttlMs, maxEntries: config.cache.l1.maxEntries });
    // A dedicated subscriber connection; L1 is cleared whenever it drops (messages published
    // during the gap are lost). Strict mode confirms every L1 hit against Redis, so the bus only
    // saves it wasted entries; bounded mode trusts the bus, so L1 is bypassed while it is down.
    const invalidations = createInvalidationBus({
      client,
      // A subscribed connection sends nothing worth pipelining.
      subscriberFactory: () => (client as Redis).duplicate({ enableAutoPipelining: false }),
      instanceId,
      onInvalidate: (conversationId, position) => l1Cache.invalidate(conversationId, position),
      onReset: () => l1Cache.clear(),
    });
    bus = invalidations;
    const usable = (): boolean => consistency === 'strict' || invalidations.live;
    l1 = {
      get: (conversationId, n) => (usable() ? l1Cache.get(conversationId, n) : null),
      set: (conversationId, tail, requested) => {
        if (usable()) l1Cache.set(conversationId, tail, requested);
      },
      invalidate: (conversationId, position) => l1Cache.invalidate(conversationId, position),
    };
    // Wait briefly for the subscription; if Redis is down, open anyway (it keeps trying).
    await invalidations
      .start(redis.connectTimeoutMs)
      .catch((error: unknown) => logger.warn('L1 invalidation subscriber not live yet', describeError(error)));
  }

  let timer: NodeJS.Timeout | undefined;
  return {
    cache,
    l1,
    bus,
    instances: () => registry.list(),
    serverInfo: () => fetchServerInfo(client),
    ping: async () => {
      await client.ping();
    },
    start(self) {
      const publish = (): void => {
        registry.publish(self()).catch((error: unknown) => logger.warn('publishing instance metrics failed', describeError(error)));
      };
      publish();
      timer = setInterval(publish, config.metrics.publishIntervalMs);
      timer.unref();
    },
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await registry.remove(instanceId).catch((error: unknown) => logger.warn('removing instance metrics failed', describeError(error)));
      await bus?.close();
      await cache.close();
      lag.close();
      if (owned) client.disconnect();
    },
  };
}
