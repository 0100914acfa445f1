import { describe, expect, it } from 'vitest';
import { compare, runLoop } from './harness.js';

describe('runLoop', () => {
  it('runs each index once, never more than `concurrency` at a time, prepare before run', async () => {
    const seen: number[] = [];
    const prepared = new Set<number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await runLoop(
      {
        prepare: (i) => void prepared.add(i),
        run: async (i) => {
          expect(prepared.has(i)).toBe(true);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise<void>((resolve) => setImmediate(resolve));
          inFlight--;
          seen.push(i);
        },
      },
      { operations: 50, concurrency: 4, startIndex: 10 },
    );
    expect(result.recorder.count).toBe(50);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 10));
    expect(maxInFlight).toBe(4);
  });

  it('gives each worker a stable id below the concurrency', async () => {
    const workers = new Set<number>();
    await runLoop({ run: (_, worker) => void workers.add(worker) }, { operations: 20, concurrency: 3 });
    expect([...workers].sort()).toEqual([0, 1, 2]);
  });
});

describe('compare', () => {
  it('warms up, then splits the operations over rounds with fresh indexes for every subject', async () => {
    const indexes: Record<string, number[]> = { a: [], b: [] };
    const results = await compare(
      [
        { name: 'a', op: { run: (i) => void indexes.a!.push(i) } },
        { name: 'b', itemsPerOperation: 10, op: { run: (i) => void indexes.b!.push(i) } },
      ],
      { warmupOperations: 5, operations: 30, concurrency: 1, rounds: 3 },
    );
    expect(indexes.a).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(results.map((r) => [r.subject, r.latency.count])).toEqual([
      ['a', 30],
      ['b', 30],
    ]);
    expect(results[1]!.itemsPerSecond).toBe(Math.round(results[1]!.opsPerSecond * 10));
  });
});
