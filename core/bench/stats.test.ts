import { describe, expect, it } from 'vitest';
import { LatencyRecorder, perSecond, ratio } from './stats.js';

describe('LatencyRecorder', () => {
  it('reports percentiles in milliseconds from nanosecond samples', () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) recorder.recordNanos(BigInt(i) * 1_000_000n); // 1 … 1000 ms
    const summary = recorder.summary();
    expect(summary.count).toBe(1000);
    // HDR keeps three significant digits: 500 ms ± 0.1%.
    expect(summary.p50).toBeCloseTo(500, -1);
    expect(summary.p99).toBeCloseTo(990, -1);
    expect(summary.max).toBeCloseTo(1000, -1);
  });

  it('merges recorders', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    a.recordNanos(1_000_000n);
    b.recordNanos(3_000_000n);
    b.recordNanos(3_000_000n);
    a.merge(b);
    expect(a.summary().count).toBe(3);
    expect(a.summary().p50).toBeCloseTo(3, 1);
  });

  it('records sub-microsecond samples as one microsecond rather than dropping them', () => {
    const recorder = new LatencyRecorder();
    recorder.recordNanos(10n);
    expect(recorder.count).toBe(1);
    expect(recorder.summary().p50).toBe(0.001);
  });
});

describe('perSecond and ratio', () => {
  it('turns a count over nanoseconds into a rate', () => {
    expect(perSecond(500, 250_000_000n)).toBe(2000);
    expect(() => perSecond(1, 0n)).toThrow(RangeError);
  });

  it('divides subject by reference and refuses a zero reference', () => {
    expect(ratio(1.3, 1)).toBe(1.3);
    expect(ratio(2, 3)).toBe(0.667);
    expect(() => ratio(1, 0)).toThrow(RangeError);
  });
});
