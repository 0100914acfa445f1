import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

const ROTATE_MS = 30_000;

function newHistogram(): Histogram {
  // Microseconds from 1 µs to 60 s with 3 significant digits; plain JS (no WebAssembly start-up).
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/**
 * Latency percentiles over a recent window (30–60 s) rather than since start, so a dashboard shows
 * how the store behaves now. Two histograms rotate; percentiles read both.
 */
export class LatencyHistogram {
  private current = newHistogram();
  private previous = newHistogram();
  private rotatedAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.rotatedAt = now();
  }

  /** Records one duration in milliseconds. */
  record(ms: number): void {
    this.rotate();
    this.current.recordValue(Math.max(1, Math.min(60_000_000, Math.round(ms * 1000))));
  }

  summary(): LatencySummary {
    this.rotate();
    const merged = newHistogram();
    merged.add(this.previous);
    merged.add(this.current);
    if (merged.totalCount === 0) return { p50: 0, p95: 0, p99: 0 };
    const at = (p: number): number => merged.getValueAtPercentile(p) / 1000;
    return { p50: at(50), p95: at(95), p99: at(99) };
  }

  private rotate(): void {
    const now = this.now();
    if (now - this.rotatedAt < ROTATE_MS) return;
    // After a long idle spell both halves are stale.
    this.previous = now - this.rotatedAt >= 2 * ROTATE_MS ? newHistogram() : this.current;
    this.current = newHistogram();
    this.rotatedAt = now;
  }
}
