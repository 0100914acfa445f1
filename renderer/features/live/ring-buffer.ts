/**
 * Fixed-capacity columns of numbers: x (seconds) plus N series, oldest first. Hours of one-second
 * samples can't grow memory: the oldest sample is overwritten once `capacity` is reached.
 */
export class RingSeries {
  private readonly columns: Float64Array[];
  private start = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    readonly seriesCount: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.columns = Array.from({ length: seriesCount + 1 }, () => new Float64Array(capacity).fill(Number.NaN));
  }

  get length(): number {
    return this.size;
  }

  /** Appends one sample: x and one value per series (NaN or null = gap). */
  push(x: number, values: ReadonlyArray<number | null>): void {
    const index = (this.start + this.size) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
    else this.start = (this.start + 1) % this.capacity;
    this.columns[0]![index] = x;
    for (let s = 0; s < this.seriesCount; s += 1) {
      const value = values[s];
      this.columns[s + 1]![index] = value === null || value === undefined ? Number.NaN : value;
    }
  }

  /** Ordered copies for a chart: [xs, series1, series2, …]; gaps as null (uPlot's convention). */
  toArrays(): Array<Array<number | null>> {
    return this.columns.map((column) => {
      const out: Array<number | null> = new Array<number | null>(this.size);
      for (let i = 0; i < this.size; i += 1) {
        const value = column[(this.start + i) % this.capacity]!;
        out[i] = Number.isNaN(value) ? null : value;
      }
      return out;
    });
  }

  last(series: number): number | null {
    if (this.size === 0) return null;
    const value = this.columns[series + 1]![(this.start + this.size - 1) % this.capacity]!;
    return Number.isNaN(value) ? null : value;
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }
}

/** A bounded list: keeps the newest `capacity` items. */
export function pushBounded<T>(list: readonly T[], items: readonly T[], capacity: number): T[] {
  const merged = list.length + items.length <= capacity ? [...list, ...items] : [...list, ...items].slice(-capacity);
  return merged;
}
