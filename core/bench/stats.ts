/**
 * Latency recording and the arithmetic the report is made of: HDR percentiles, throughput and the
 * ratios the targets are stated in. Values are recorded in microseconds (integers) so sub-ms
 * Redis reads keep three significant digits.
 */
import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencyStats {
  count: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyRecorder {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one duration in nanoseconds (as `process.hrtime.bigint()` differences give). */
  recordNanos(nanos: bigint): void {
    const micros = Number(nanos / 1000n);
    this.histogram.recordValue(Math.max(1, micros));
  }

  merge(other: LatencyRecorder): void {
    this.histogram.add(other.histogram);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencyStats {
    const h = this.histogram;
    const ms = (micros: number): number => round(micros / 1000, 4);
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }
}

/** Operations (or items) per second. */
export function perSecond(count: number, elapsedNanos: bigint): number {
  if (elapsedNanos <= 0n) throw new RangeError('elapsed time must be positive');
  return round((count * 1e9) / Number(elapsedNanos), 1);
}

/**
 * How many times slower `subject` is than `reference`, for latencies (higher is worse): 1.25 means
 * 25% slower. For throughputs pass them swapped (reference / subject is "times slower").
 */
export function ratio(subject: number, reference: number): number {
  if (!(reference > 0) || !(subject >= 0)) throw new RangeError(`cannot form a ratio of ${subject} to ${reference}`);
  return round(subject / reference, 3);
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
