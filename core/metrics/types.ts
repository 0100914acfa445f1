/** Shapes of the store's metrics, as `stats()` returns them and instances publish them. */
import type { ScriptOutcome } from '../cache/conversation-cache.js';
import type { FallbackStats } from '../fallback/types.js';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
}

export interface TierStats {
  hits: number;
  misses: number;
  errors: number;
  /** Milliseconds. */
  latencyMs: LatencySummary;
}

export interface BackendState {
  status: 'up' | 'degraded' | 'down';
  /** Circuit breaker state, for Redis. */
  breaker?: 'closed' | 'open' | 'half-open';
  /** Times the breaker opened since start. */
  breakerOpened?: number;
  /** What last opened it from closed: failures in a row, the failure rate, or slow calls. */
  breakerLastTrip?: 'failures' | 'failure-rate' | 'latency';
}

export interface StoreStats {
  tiers: { l1?: TierStats; redis?: TierStats; log: TierStats };
  cacheScripts: Record<ScriptOutcome, number>;
  backends: Partial<Record<'postgres' | 'redis' | 'sqlite', BackendState>>;
  /** Appends acknowledged since start (queued ones included). */
  appends: number;
  /** The fallback outbox ('hybrid+fallback' mode only). */
  fallback?: FallbackStats;
}

/** What one store instance publishes to Redis every few seconds. */
export interface InstanceStats {
  instanceId: string;
  hostname: string;
  pid: number;
  startedAt: string;
  publishedAt: string;
  stats: StoreStats;
}

/** The Redis server's own counters from INFO. */
export interface RedisServerInfo {
  version: string;
  usedMemoryBytes: number;
  maxMemoryBytes: number;
  evictedKeys: number;
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  opsPerSec: number;
  connectedClients: number;
  uptimeSeconds: number;
}
