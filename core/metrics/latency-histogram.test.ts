import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('reports percentiles in milliseconds', () => {
    const histogram = new LatencyHistogram(() => 0);
    for (let i = 1; i <= 100; i++) histogram.record(i / 10);
    const summary = histogram.summary();
    expect(summary.p50).toBeCloseTo(5, 1);
    expect(summary.p95).toBeCloseTo(9.5, 1);
    expect(summary.p99).toBeCloseTo(9.9, 1);
  });

  it('forgets what is older than its window', () => {
    let now = 0;
    const histogram = new LatencyHistogram(() => now);
    histogram.record(100);
    now = 31_000;
    histogram.record(1);
    expect(histogram.summary().p99).toBeCloseTo(100, 0);
    now = 62_000;
    histogram.record(1);
    expect(histogram.summary().p99).toBeCloseTo(1, 1);
    now = 200_000;
    expect(histogram.summary()).toEqual({ p50: 0, p95: 0, p99: 0 });
  });
});
