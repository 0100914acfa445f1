/**
 * `openStore`: picks the backends from configuration, migrates the log, and wires the tiers.
 */
import { hostname } from 'node:os';
import type { EventLog } from '../backends/log.js';
import { createPostgresLog } from '../backends/postgres/postgres-log.js';
import { createSqliteLog } from '../backends/sqlite/sqlite-log.js';
import { TieredCache } from '../cache/tiered-cache.js';
import { uuidv7 } from '../events/uuid-v7.js';
import { stderrLogger } from '../logging/logger.js';
import { StatsRecorder, type TierName } from '../metrics/stats-recorder.js';
import type { InstanceStats, StoreStats } from '../metrics/types.js';
import { createCacheApi } from './cache-api.js';
import { configFromEnvironment, resolveConfig, type ResolvedConfig, type StoreConfig } from './config.js';
import { createConversationStore } from './conversation-store.js';
import { checkHealth } from './health.js';
import { openHybridParts } from './hybrid-parts.js';
import { trackLog } from './tracked-log.js';
import type { ConversationStore } from './types.js';

function createLog(config: ResolvedConfig): EventLog {
  if (config.sqlite !== undefined) return createSqliteLog({ path: config.sqlite.path, readOnly: config.readOnly });
  const pg = config.postgres;
  if (pg === undefined) throw new Error('unreachable: resolveConfig requires a log');
  return createPostgresLog({
    ...(pg.url !== undefined ? { url: pg.url } : {}),
    ...(pg.pool !== undefined ? { pool: pg.pool } : {}),
    poolSize: pg.poolSize,
    connectTimeoutMs: pg.connectTimeoutMs,
    queryTimeoutMs: pg.queryTimeoutMs,
  });
}

/**
 * Opens a store. With a config object, that object alone decides; without one, the environment
 * (SCROLLBACK_DATABASE_URL, SCROLLBACK_REDIS_URL, SCROLLBACK_SQLITE_PATH, …) does.
 */
export async function openStore(config?: StoreConfig): Promise<ConversationStore> {
  const resolved = resolveConfig(config ?? configFromEnvironment());
  const logger = resolved.logger ?? stderrLogger;
  const tracked = trackLog(createLog(resolved));
  const { log } = tracked;
  try {
    if (!resolved.readOnly) await log.migrate();
  } catch (error) {
    await log.close();
    throw error;
  }

  const instanceId = uuidv7();
  const hybrid = await openHybridParts(resolved, logger, instanceId);
  const tiers: TierName[] = hybrid === null ? ['log'] : hybrid.l1 === null ? ['redis', 'log'] : ['l1', 'redis', 'log'];
  const stats = new StatsRecorder(tiers);
  const tiered = new TieredCache(hybrid?.cache ?? null, hybrid?.l1 ?? null, hybrid?.bus ?? null, stats, resolved.cache.maxMessages, logger);
  const startedAt = new Date().toISOString();

  const backendStates = (): StoreStats['backends'] => {
    const states: StoreStats['backends'] = { [log.backend]: { status: tracked.state() } };
    if (hybrid !== null) {
      const breaker = hybrid.cache.stats().breaker;
      states.redis = {
        status: breaker.state === 'closed' ? 'up' : breaker.state === 'half-open' ? 'degraded' : 'down',
        breaker: breaker.state,
        breakerOpened: breaker.opened,
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
    health: () => checkHealth({ name: log.backend, probe: () => log.ping() }, hybrid === null ? null : () => hybrid.ping()),
    shutdown: async () => {
      await hybrid?.close();
      await log.close();
    },
  });
  // A read-only store writes nothing, its own metrics included.
  if (!resolved.readOnly) hybrid?.start(self);
  return store;
}
