/**
 * Turns the server's cumulative stats messages into bounded per-second chart series, per source:
 * this console's own store instance ("local") and every instance that publishes to Redis. The
 * Redis server's INFO is kept apart: it is the server's view, not the store's hit ratio.
 */
import type { StoreStats, RedisServerInfo, TierStats } from '../../../core/metrics/types.js';
import type { LiveStatsPayload } from '../../api/contract.js';
import { RingSeries } from './ring-buffer.js';

export const LOCAL_SOURCE = 'local';
export const SCRIPT_OUTCOME_NAMES = ['ok', 'duplicate', 'cold', 'gap', 'fenced'] as const;
const MAX_SOURCES = 16;

export interface SourceSeries {
  /** [l1, redis, log]: the share (0..1) of all reads each tier answered over each interval. */
  hitRatio: RingSeries;
  /** [redis p50, p95, p99, log p50, p95, p99] in ms; gaps where a tier recorded no call in its window. */
  latency: RingSeries;
  /** [reads/s, appends/s, store errors/s, failed simulated turns/s]. */
  throughput: RingSeries;
  /** Script outcomes per second, in SCRIPT_OUTCOME_NAMES order. */
  scripts: RingSeries;
  label: string;
  lastSeen: number;
  prev: { at: number; stats: StoreStats } | null;
  /** Cumulative failed simulated turns at the previous sample (this console only). */
  failedTurns: number | null;
  latest: StoreStats | null;
}

export interface ServerSeries {
  /** [used memory MiB, evictions/s, keyspace hit ratio, ops/s]. */
  series: RingSeries;
  prev: { at: number; info: RedisServerInfo } | null;
  latest: RedisServerInfo | null;
}

function delta(now: number, before: number): number | null {
  const d = now - before;
  return d < 0 ? null : d; // a negative delta means the instance restarted: leave a gap
}

function ratio(hits: number | null, misses: number | null): number | null {
  if (hits === null || misses === null) return null;
  const total = hits + misses;
  return total === 0 ? null : hits / total;
}

function share(part: number | null, total: number | null): number | null {
  if (part === null || total === null || total === 0) return null;
  return part / total;
}

/** The histogram reports 0 when its window holds no call (a recorded call is at least 1 µs). */
function percentile(value: number | undefined): number | null {
  return value === undefined || value <= 0 ? null : value;
}

function tierDelta(now: TierStats | undefined, before: TierStats | undefined, key: 'hits' | 'misses' | 'errors'): number | null {
  if (!now) return null;
  return delta(now[key], before?.[key] ?? 0);
}

function reads(stats: StoreStats): number {
  // Every read is answered by exactly one tier: the first hit, else the log.
  return (stats.tiers.l1?.hits ?? 0) + (stats.tiers.redis?.hits ?? 0) + stats.tiers.log.hits + stats.tiers.log.misses;
}

function errors(stats: StoreStats): number {
  return (stats.tiers.l1?.errors ?? 0) + (stats.tiers.redis?.errors ?? 0) + stats.tiers.log.errors;
}

export class LiveMetrics {
  readonly sources = new Map<string, SourceSeries>();
  readonly server: ServerSeries;

  constructor(readonly capacity = 600) {
    this.server = { series: new RingSeries(capacity, 4), prev: null, latest: null };
  }

  private source(id: string, label: string, now: number): SourceSeries {
    let source = this.sources.get(id);
    if (!source) {
      if (this.sources.size >= MAX_SOURCES) this.evictStalest();
      source = {
        hitRatio: new RingSeries(this.capacity, 3),
        latency: new RingSeries(this.capacity, 6),
        throughput: new RingSeries(this.capacity, 4),
        scripts: new RingSeries(this.capacity, SCRIPT_OUTCOME_NAMES.length),
        label,
        lastSeen: now,
        prev: null,
        failedTurns: null,
        latest: null,
      };
      this.sources.set(id, source);
    }
    source.lastSeen = now;
    return source;
  }

  private evictStalest(): void {
    let stalest: string | null = null;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [id, source] of this.sources) {
      if (id !== LOCAL_SOURCE && source.lastSeen < oldest) {
        oldest = source.lastSeen;
        stalest = id;
      }
    }
    if (stalest !== null) this.sources.delete(stalest);
  }

  ingest(message: LiveStatsPayload): void {
    const at = Date.parse(message.at) / 1000;
    if (!Number.isFinite(at)) return;
    this.ingestStore(LOCAL_SOURCE, 'This console', message.local, at, message.traffic.errors);
    for (const instance of message.instances) {
      this.ingestStore(instance.instanceId, `${instance.hostname} · pid ${instance.pid}`, instance.stats, at, null);
    }
    if (message.server) this.ingestServer(message.server, at);
  }

  /** `failedTurns`: the simulated traffic's cumulative failed turns (this console only), else null. */
  private ingestStore(id: string, label: string, stats: StoreStats, at: number, failedTurns: number | null): void {
    const source = this.source(id, label, at);
    source.latest = stats;
    const prev = source.prev;
    const prevFailed = source.failedTurns;
    source.prev = { at, stats };
    source.failedTurns = failedTurns;
    const redis = stats.tiers.redis?.latencyMs;
    const log = stats.tiers.log.latencyMs;
    source.latency.push(at, [percentile(redis?.p50), percentile(redis?.p95), percentile(redis?.p99), percentile(log.p50), percentile(log.p95), percentile(log.p99)]);
    if (!prev || at <= prev.at) {
      source.hitRatio.push(at, [null, null, null]);
      source.throughput.push(at, [null, null, null, null]);
      source.scripts.push(at, SCRIPT_OUTCOME_NAMES.map(() => null));
      return;
    }
    const seconds = at - prev.at;
    const perSecond = (value: number | null) => (value === null ? null : value / seconds);
    const before = prev.stats;
    const readCount = delta(reads(stats), reads(before));
    const logReads = delta(stats.tiers.log.hits + stats.tiers.log.misses, before.tiers.log.hits + before.tiers.log.misses);
    source.hitRatio.push(at, [
      share(tierDelta(stats.tiers.l1, before.tiers.l1, 'hits'), readCount),
      share(tierDelta(stats.tiers.redis, before.tiers.redis, 'hits'), readCount),
      share(logReads, readCount),
    ]);
    // Failed turns restart from zero with each run: a smaller count is a new run, not a negative rate.
    const failed = failedTurns === null ? null : prevFailed === null || failedTurns < prevFailed ? failedTurns : failedTurns - prevFailed;
    source.throughput.push(at, [
      perSecond(readCount),
      perSecond(delta(stats.appends, before.appends)),
      perSecond(delta(errors(stats), errors(before))),
      perSecond(failed),
    ]);
    source.scripts.push(
      at,
      SCRIPT_OUTCOME_NAMES.map((name) => perSecond(delta(stats.cacheScripts[name] ?? 0, before.cacheScripts[name] ?? 0))),
    );
  }

  private ingestServer(info: RedisServerInfo, at: number): void {
    const prev = this.server.prev;
    this.server.prev = { at, info };
    this.server.latest = info;
    const mib = info.usedMemoryBytes / (1024 * 1024);
    if (!prev || at <= prev.at) {
      this.server.series.push(at, [mib, null, null, info.opsPerSec]);
      return;
    }
    const seconds = at - prev.at;
    const evictions = delta(info.evictedKeys, prev.info.evictedKeys);
    this.server.series.push(at, [
      mib,
      evictions === null ? null : evictions / seconds,
      ratio(delta(info.keyspaceHits, prev.info.keyspaceHits), delta(info.keyspaceMisses, prev.info.keyspaceMisses)),
      info.opsPerSec,
    ]);
  }

  clear(): void {
    this.sources.clear();
    this.server.series.clear();
    this.server.prev = null;
    this.server.latest = null;
  }
}
