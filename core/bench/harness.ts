/**
 * The measuring loop: warm-up, then a bounded number of operations spread over `concurrency`
 * workers that each take the next index until the budget is spent (a closed loop: each worker
 * waits for its request before sending the next). Subjects compared with each other run
 * interleaved in rounds, so drift on this shared machine (other processes, autovacuum, page
 * cache) lands on all of them alike instead of on whichever ran last.
 */
import { LatencyRecorder, perSecond, type LatencyStats } from './stats.js';

export interface Operation {
  /** Untimed work before each timed call (e.g. evicting a cache entry). */
  prepare?: (index: number, worker: number) => Promise<void> | void;
  /** `worker` is 0 … concurrency-1, so each worker can keep to its own conversation. */
  run: (index: number, worker: number) => Promise<unknown> | unknown;
}

export interface LoopOptions {
  operations: number;
  concurrency: number;
  /** Index the first operation gets; rounds continue where the previous one stopped. */
  startIndex?: number;
}

export interface LoopResult {
  recorder: LatencyRecorder;
  operations: number;
  elapsedNanos: bigint;
}

export async function runLoop(op: Operation, options: LoopOptions): Promise<LoopResult> {
  const recorder = new LatencyRecorder();
  const start = options.startIndex ?? 0;
  const end = start + options.operations;
  let next = start;
  const worker = async (_: unknown, id: number): Promise<void> => {
    while (next < end) {
      const index = next++;
      if (op.prepare) await op.prepare(index, id);
      const t0 = process.hrtime.bigint();
      await op.run(index, id);
      recorder.recordNanos(process.hrtime.bigint() - t0);
    }
  };
  const began = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { recorder, operations: options.operations, elapsedNanos: process.hrtime.bigint() - began };
}

export interface Subject {
  name: string;
  op: Operation;
  /** Items each operation carries (messages per batch), for item throughput. */
  itemsPerOperation?: number;
}

export interface SubjectResult {
  subject: string;
  concurrency: number;
  latency: LatencyStats;
  /** Operations per second over the timed rounds. */
  opsPerSecond: number;
  /** Items (messages) per second: opsPerSecond × itemsPerOperation. */
  itemsPerSecond: number;
}

export interface CompareOptions {
  warmupOperations: number;
  operations: number;
  concurrency: number;
  rounds: number;
}

/**
 * Warms every subject up, then runs `rounds` rounds in which each subject does
 * `operations / rounds` operations, rotating which subject goes first.
 */
export async function compare(subjects: Subject[], options: CompareOptions): Promise<SubjectResult[]> {
  const nextIndex = new Map<string, number>();
  for (const s of subjects) {
    const warm = await runLoop(s.op, { operations: options.warmupOperations, concurrency: options.concurrency });
    nextIndex.set(s.name, warm.operations);
  }
  const rounds = Math.max(1, options.rounds);
  const perRound = Math.max(1, Math.ceil(options.operations / rounds));
  const totals = new Map(subjects.map((s) => [s.name, { recorder: new LatencyRecorder(), ops: 0, nanos: 0n }]));
  for (let r = 0; r < rounds; r++) {
    const order = subjects.map((_, i) => subjects[(i + r) % subjects.length]!);
    for (const s of order) {
      const startIndex = nextIndex.get(s.name) ?? 0;
      const result = await runLoop(s.op, { operations: perRound, concurrency: options.concurrency, startIndex });
      nextIndex.set(s.name, startIndex + perRound);
      const total = totals.get(s.name)!;
      total.recorder.merge(result.recorder);
      total.ops += result.operations;
      total.nanos += result.elapsedNanos;
    }
  }
  return subjects.map((s) => {
    const total = totals.get(s.name)!;
    const opsPerSecond = perSecond(total.ops, total.nanos);
    return {
      subject: s.name,
      concurrency: options.concurrency,
      latency: total.recorder.summary(),
      opsPerSecond,
      itemsPerSecond: Math.round(opsPerSecond * (s.itemsPerOperation ?? 1)),
    };
  });
}
