/** `stats()` as Prometheus metric families: the names and labels `/metrics` serves. */
import type { BackendState, StoreStats, TierStats } from '../metrics/types.js';
import type { MetricFamily, Sample } from './prometheus-text.js';

const BACKEND_UP: Record<BackendState['status'], number> = { up: 1, degraded: 0.5, down: 0 };
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
const QUANTILES = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

function tiers(stats: StoreStats): [string, TierStats][] {
  return Object.entries(stats.tiers).filter((entry): entry is [string, TierStats] => entry[1] !== undefined);
}

function backends(stats: StoreStats): [string, BackendState][] {
  return Object.entries(stats.backends).filter((entry): entry is [string, BackendState] => entry[1] !== undefined);
}

/** The families, in a fixed order; a family with no samples (no breaker, no outbox) is left out. */
export function familiesFromStats(stats: StoreStats): MetricFamily[] {
  const families: MetricFamily[] = [
    {
      name: 'scrollback_cache_requests_total',
      help: 'Lookups per tier (l1, redis, log) by outcome (hit, miss, error), since the store opened.',
      type: 'counter',
      samples: tiers(stats).flatMap(([tier, figures]) => [
        { labels: { tier, outcome: 'hit' }, value: figures.hits },
        { labels: { tier, outcome: 'miss' }, value: figures.misses },
        { labels: { tier, outcome: 'error' }, value: figures.errors },
      ]),
    },
    {
      name: 'scrollback_tier_latency_ms',
      help: 'Lookup latency percentiles per tier over recent lookups, in milliseconds.',
      type: 'gauge',
      samples: tiers(stats).flatMap(([tier, figures]) =>
        QUANTILES.map(([quantile, key]) => ({ labels: { tier, quantile }, value: figures.latencyMs[key] })),
      ),
    },
    {
      name: 'scrollback_cache_script_outcomes_total',
      help: 'Redis cache script runs by outcome (ok, duplicate, cold, gap, fenced).',
      type: 'counter',
      samples: Object.entries(stats.cacheScripts).map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
    {
      name: 'scrollback_appends_total',
      help: 'Appends acknowledged since the store opened, queued ones included.',
      type: 'counter',
      samples: [{ labels: {}, value: stats.appends }],
    },
    {
      name: 'scrollback_backend_up',
      help: 'Backend state as the store last saw it: 1 up, 0.5 degraded, 0 down.',
      type: 'gauge',
      samples: backends(stats).map(([backend, state]) => ({ labels: { backend }, value: BACKEND_UP[state.status] })),
    },
    {
      name: 'scrollback_breaker_state',
      help: 'Circuit breaker state per backend: 1 for the current state, 0 for the others.',
      type: 'gauge',
      samples: backends(stats).flatMap(([backend, state]) =>
        state.breaker === undefined ? [] : BREAKER_STATES.map((name) => ({ labels: { backend, state: name }, value: name === state.breaker ? 1 : 0 })),
      ),
    },
    {
      name: 'scrollback_breaker_opened_total',
      help: 'Times the circuit breaker opened since the store opened.',
      type: 'counter',
      samples: backends(stats).flatMap(([backend, state]): Sample[] =>
        state.breakerOpened === undefined ? [] : [{ labels: { backend }, value: state.breakerOpened }],
      ),
    },
  ];
  const outbox = stats.fallback;
  if (outbox !== undefined) {
    families.push(
      { name: 'scrollback_fallback_queued', help: 'Appends waiting in the fallback outbox.', type: 'gauge', samples: [{ labels: {}, value: outbox.queued }] },
      {
        name: 'scrollback_fallback_drained_total',
        help: 'Outbox entries this instance replayed to the log since it opened.',
        type: 'counter',
        samples: [{ labels: {}, value: outbox.drained }],
      },
      { name: 'scrollback_fallback_dead_lettered', help: 'Outbox entries the log refused, kept as dead letters.', type: 'gauge', samples: [{ labels: {}, value: outbox.deadLettered }] },
    );
    if (outbox.oldestQueuedAt !== null) {
      families.push({
        name: 'scrollback_fallback_oldest_queued_timestamp_seconds',
        help: 'When the oldest entry still queued in the outbox was queued, in Unix seconds.',
        type: 'gauge',
        samples: [{ labels: {}, value: Date.parse(outbox.oldestQueuedAt) / 1000 }],
      });
    }
  }
  return families.filter((family) => family.samples.length > 0);
}
