/**
 * `openStore`: picks the backends from configuration, migrates the log, and wires the tiers.
 */
import { hostname } from 'node:os';
import { startInvalidationFollower } from '../cache/invalidation-follower.js';
import { TieredCache } from '../cache/tiered-cache.js';
import { uuidv7 } from '../events/uuid-v7.js';
import type { StoreFallback } from '../fallback/store-fallback.js';
import { stderrLogger } from '../logging/logger.js';
import { StatsRecorder, type TierName } from '../metrics/stats-recorder.js';
import type { InstanceStats, StoreStats } from '../metrics/types.js';
import { createCacheApi } from './cache-api.js';
import { createLog, loadFallback, loadHybridParts } from './backend-loader.js';
import { configFromEnvironment, resolveConfig, type StoreConfig } from './config.js';
import { createConversationStore } from './conversation-store.js';
import { dbSystemOf, errorTypeOf, telemetrySink, traceStore } from '../observability/telemetry.js';
import { checkHealth } from './health.js';
import { trackLog } from './tracked-log.js';
import type { ConversationStore } from './types.js';

/**
 * Opens a store. With a config object, that object alone decides; without one, the environment
 * (SCROLLBACK_DATABASE_URL, SCROLLBACK_REDIS_URL, SCROLLBACK_SQLITE_PATH, …) does.
 */
export async function openStore(config?: StoreConfig): Promise<ConversationStore> {
  const resolved = resolveConfig(config ?? configFromEnvironment());
  const logger = resolved.logger ?? stderrLogger;
  let fallback: StoreFallback | null = null;
  const telemetry = telemetrySink(resolved.telemetry);
  const inner = await createLog(resolved, logger);
  const system = dbSystemOf(inner.backend);
  const tracked = trackLog(
    inner,
    () => fallback?.logAnswered(),
    telemetry === null ? undefined : (operation, seconds, error) => telemetry.backendCall(system, operation, seconds, error === undefined ? undefined : errorTypeOf(error)),
  );
  const { log } = tracked;
  try {
    if (!resolved.readOnly) await log.migrate();
  } catch (error) {
    await log.close();
    throw error;
  }

  const instanceId = uuidv7();
  const hybrid = await loadHybridParts(resolved, logger, instanceId);
  const tiers: TierName[] = hybrid === null ? ['log'] : hybrid.l1 === null ? ['redis', 'log'] : ['l1', 'redis', 'log'];
  const stats = new StatsRecorder(tiers, Date.now, telemetry === null ? null : (tier, outcome, ms) => telemetry.tier(tier, outcome, ms));
  const invalidations = log.cacheInvalidations;
  const tiered = new TieredCache({
    redis: hybrid?.cache ?? null,
    l1: hybrid?.l1 ?? null,
    consistency: resolved.cache.l1 === false ? 'strict' : resolved.cache.l1.consistency,
    bus: hybrid?.bus ?? null,
    stats,
    maxMessages: resolved.cache.maxMessages,
    logger,
    redisDown: () => hybrid !== null && hybrid.cache.breaker.state !== 'closed',
    ...(invalidations !== undefined ? { onWriteThroughFailed: (id: string, position: number) => invalidations.record(id, position) } : {}),
  });
  // Repairs what instances cut off from Redis could not write through (hybrid mode only).
  const follower =
    hybrid !== null && invalidations !== undefined && !resolved.readOnly
      ? startInvalidationFollower({
          source: invalidations,
          apply: (id, position) => tiered.repair(id, position),
          canApply: () => hybrid.cache.breaker.state === 'closed',
          logger,
        })
      : null;
  const startedAt = new Date().toISOString();
  // A read-only store writes nothing, so it has no outbox to write to.
  if (resolved.mode === 'hybrid+fallback' && resolved.sqlite !== undefined && !resolved.readOnly) {
    const pg = resolved.postgres;
    try {
      const { openStoreFallback } = await loadFallback();
      fallback = openStoreFallback({
        path: resolved.sqlite.path,
        durability: resolved.sqlite.durability,
        log,
        logState: () => tracked.state(),
        afterAppend: (conversationId, result) => tiered.afterAppend(conversationId, result),
        logger,
        owner: instanceId,
        // Longer than one append can take (connect plus query timeout), so a lease held by a live
        // drainer never lapses mid-append.
        leaseMs: Math.max(10_000, 2 * ((pg?.connectTimeoutMs ?? 3000) + (pg?.queryTimeoutMs ?? 5000))),
        backlogWaitMs: pg?.queryTimeoutMs ?? 5000,
      });
    } catch (error) {
      await hybrid?.close();
      await log.close();
      throw error;
    }
  }

  const outbox = fallback;

  const backendStates = (): StoreStats['backends'] => {
    const states: StoreStats['backends'] = { [log.backend]: { status: tracked.state() } };
    if (outbox !== null) states.sqlite = { status: outbox.state() };
    if (hybrid !== null) {
      const breaker = hybrid.cache.stats().breaker;
      states.redis = {
        status: breaker.state === 'closed' ? 'up' : breaker.state === 'half-open' ? 'degraded' : 'down',
        breaker: breaker.state,
        breakerOpened: breaker.opened,
        ...(breaker.lastTrip !== null ? { breakerLastTrip: breaker.lastTrip } : {}),
      };
    }
    return states;
  };

  const self = (): InstanceStats => ({
    instanceId,
    hostname: hostname(),
    pid: process.pid,
    startedAt,
    publishedAt: new Date().toISOString(),
    stats: store.stats(),
  });

  const store = createConversationStore({
    mode: resolved.mode,
    readOnly: resolved.readOnly,
    log,
    cache: tiered,
    cacheApi: () =>
      createCacheApi({
        logger,
        log,
        tiered,
        redis: hybrid?.cache ?? null,
        maxMessages: resolved.cache.maxMessages,
        limits: resolved.limits,
        readOnly: resolved.readOnly,
        instances: async () => (hybrid === null ? [self()] : hybrid.instances()),
        serverInfo: hybrid === null ? null : () => hybrid.serverInfo(),
      }),
    stats,
    limits: resolved.limits,
    maxCachedMessages: resolved.cache.maxMessages,
    logger,
    backendStates,
    health: () =>
      checkHealth(
        { name: log.backend, probe: () => log.ping() },
        hybrid === null ? null : () => hybrid.ping(),
        outbox === null ? null : () => outbox.ping(),
      ),
    fallback,
    shutdown: async () => {
      await follower?.close();
      await hybrid?.close();
      await log.close();
      fallback?.close();
    },
  });
  // A read-only store writes nothing, its own metrics included.
  if (!resolved.readOnly) hybrid?.start(self);
  return resolved.telemetry?.tracer === undefined ? store : traceStore(store, resolved.telemetry.tracer);
}
