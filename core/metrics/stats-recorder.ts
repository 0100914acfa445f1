/** Counters and histograms behind `stats()`. Recording is synchronous and allocation-light. */
import { SCRIPT_OUTCOMES, type ScriptOutcome } from '../cache/conversation-cache.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { BackendState, StoreStats, TierStats } from './types.js';

export type TierName = 'l1' | 'redis' | 'log';
export type Outcome = 'hit' | 'miss' | 'error';

/** Told of every tier lookup as it is recorded (OpenTelemetry counters, when configured). */
export type TierObserver = (tier: TierName, outcome: Outcome, ms: number) => void;

class TierRecorder {
  hits = 0;
  misses = 0;
  errors = 0;
  readonly latency: LatencyHistogram;

  constructor(now: () => number) {
    this.latency = new LatencyHistogram(now);
  }

  snapshot(): TierStats {
    return { hits: this.hits, misses: this.misses, errors: this.errors, latencyMs: this.latency.summary() };
  }
}

export class StatsRecorder {
  private readonly tiers = new Map<TierName, TierRecorder>();
  private readonly scripts: Record<ScriptOutcome, number>;
  private appends = 0;

  constructor(
    tiers: readonly TierName[],
    now: () => number = Date.now,
    private readonly observer: TierObserver | null = null,
  ) {
    for (const tier of tiers) this.tiers.set(tier, new TierRecorder(now));
    this.scripts = Object.fromEntries(SCRIPT_OUTCOMES.map((outcome) => [outcome, 0])) as Record<ScriptOutcome, number>;
  }

  /** One lookup in a tier: a hit, a miss, or an error, with how long it took. */
  record(tier: TierName, outcome: Outcome, ms: number): void {
    const recorder = this.tiers.get(tier);
    if (recorder === undefined) return;
    if (outcome === 'hit') recorder.hits++;
    else if (outcome === 'miss') recorder.misses++;
    else recorder.errors++;
    recorder.latency.record(ms);
    this.observer?.(tier, outcome, ms);
  }

  script(outcome: ScriptOutcome): void {
    this.scripts[outcome]++;
  }

  appended(): void {
    this.appends++;
  }

  snapshot(backends: StoreStats['backends']): StoreStats {
    const log = this.tiers.get('log');
    return {
      tiers: {
        ...(this.tiers.has('l1') ? { l1: this.tiers.get('l1')?.snapshot() } : {}),
        ...(this.tiers.has('redis') ? { redis: this.tiers.get('redis')?.snapshot() } : {}),
        log: log?.snapshot() ?? { hits: 0, misses: 0, errors: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } },
      },
      cacheScripts: { ...this.scripts },
      backends,
      appends: this.appends,
    };
  }
}

export type { BackendState };
