import { describe, expect, it } from 'vitest';
import { formatFamilies } from './prometheus-text.js';
import { familiesFromStats } from './store-metrics.js';
import { parseExposition, sampleValue } from './test-support.js';

describe('familiesFromStats', () => {
  it('carries the outbox figures and a degraded, half-open Redis as hybrid+fallback stats report them', () => {
    const parsed = parseExposition(
      formatFamilies(
        familiesFromStats({
          tiers: { l1: { hits: 1, misses: 2, errors: 0, latencyMs: { p50: 0.1, p95: 0.2, p99: 0.3 } }, log: { hits: 5, misses: 0, errors: 1, latencyMs: { p50: 1, p95: 2, p99: 3 } } },
          cacheScripts: { ok: 4, duplicate: 1, cold: 2, gap: 0, fenced: 0 },
          backends: { postgres: { status: 'down' }, redis: { status: 'degraded', breaker: 'half-open', breakerOpened: 3 }, sqlite: { status: 'up' } },
          appends: 9,
          fallback: { queued: 2, drained: 5, deadLettered: 1, oldestQueuedAt: '2026-01-01T00:00:10.000Z' },
        }),
      ),
    );
    expect(sampleValue(parsed, 'scrollback_backend_up', { backend: 'postgres' })).toBe(0);
    expect(sampleValue(parsed, 'scrollback_backend_up', { backend: 'redis' })).toBe(0.5);
    expect(sampleValue(parsed, 'scrollback_breaker_state', { backend: 'redis', state: 'half-open' })).toBe(1);
    expect(sampleValue(parsed, 'scrollback_breaker_state', { backend: 'redis', state: 'closed' })).toBe(0);
    expect(sampleValue(parsed, 'scrollback_breaker_opened_total', { backend: 'redis' })).toBe(3);
    expect(sampleValue(parsed, 'scrollback_tier_latency_ms', { tier: 'l1', quantile: '0.99' })).toBe(0.3);
    expect(sampleValue(parsed, 'scrollback_cache_requests_total', { tier: 'log', outcome: 'error' })).toBe(1);
    expect(sampleValue(parsed, 'scrollback_fallback_queued')).toBe(2);
    expect(sampleValue(parsed, 'scrollback_fallback_drained_total')).toBe(5);
    expect(sampleValue(parsed, 'scrollback_fallback_dead_lettered')).toBe(1);
    expect(sampleValue(parsed, 'scrollback_fallback_oldest_queued_timestamp_seconds')).toBe(Date.UTC(2026, 0, 1, 0, 0, 10) / 1000);
    // Breakers belong to Redis alone.
    expect(parsed.samples.filter((sample) => sample.name === 'scrollback_breaker_state' && sample.labels.backend !== 'redis')).toEqual([]);
  });

  it('an empty outbox has no oldest-entry sample', () => {
    const names = familiesFromStats({
      tiers: { log: { hits: 0, misses: 0, errors: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } } },
      cacheScripts: { ok: 0, duplicate: 0, cold: 0, gap: 0, fenced: 0 },
      backends: { postgres: { status: 'up' }, sqlite: { status: 'up' } },
      appends: 0,
      fallback: { queued: 0, drained: 0, deadLettered: 0, oldestQueuedAt: null },
    }).map((family) => family.name);
    expect(names).toContain('scrollback_fallback_queued');
    expect(names).not.toContain('scrollback_fallback_oldest_queued_timestamp_seconds');
  });
});
