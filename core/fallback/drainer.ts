/**
 * Replays the outbox to the log once it answers again: in queue order (so per conversation in the
 * order the appends were acknowledged), with the queued ids, so a replay after a crash mid-drain
 * finds its work done (`already_appended`) instead of doing it twice. That is also why applied
 * entries are dequeued in batches (one file transaction per batch, not per entry): a crash before
 * the dequeue only means a replay. One process drains a shared outbox at a time, under a lease
 * renewed long before it can lapse.
 */
import type { EventLog, LogAppendResult } from '../backends/log.js';
import { BackendUnavailableError, isScrollbackError } from '../errors/errors.js';
import { describeError, type Logger } from '../logging/logger.js';
import type { Outbox, OutboxEntry } from './outbox.js';

/** Failures other than an outage and a refusal (a bug, say) are retried this many times, no more. */
export const MAX_ATTEMPTS = 5;

/** Applied entries dequeued per file transaction. */
const DEQUEUE_BATCH = 64;

/** Errors that will not go away on a retry: the entry becomes a dead letter at once. */
const PERMANENT_CODES = new Set(['CONVERSATION_DELETED', 'IDEMPOTENCY_CONFLICT', 'VALIDATION', 'VERSION_CONFLICT', 'CONVERSATION_NOT_FOUND']);

export interface DrainerOptions {
  outbox: Outbox;
  log: EventLog;
  /** This drainer's identity in the lease. */
  owner: string;
  logger: Logger;
  /** Called after each append the drain applied, as after a normal append (cache write-through). */
  afterAppend?: (conversationId: string, result: LogAppendResult) => Promise<void>;
  /** Called for each entry drained (applied or found applied). */
  onDrained?: (entry: OutboxEntry) => void;
  /** Called when a drain found the queue empty. */
  onEmpty?: () => void;
  /** How long the lease lasts without renewal; must exceed the longest single log append. */
  leaseMs: number;
  /** How often to look at the queue (default 1000 ms). */
  intervalMs?: number;
}

export interface Drainer {
  /** Starts the timer. */
  start(): void;
  /** Asks for a drain soon (a hint: a log call just succeeded, or something was queued). */
  wake(): void;
  /** Drains now until the queue is empty, the log fails, or the lease is lost. */
  drain(): Promise<void>;
  /** Stops the timer and waits for a drain in progress to finish its current entry. */
  stop(): Promise<void>;
}

export function createDrainer(options: DrainerOptions): Drainer {
  const { outbox, log, owner, logger, leaseMs } = options;
  const intervalMs = options.intervalMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  /**
   * Applies one entry: 'applied' (to be dequeued), 'dead' (moved to the dead letters), 'stop' (the
   * log is down, or an unknown failure to retry later).
   */
  const apply = async (entry: OutboxEntry): Promise<'applied' | 'dead' | 'stop'> => {
    const append = entry.append;
    if (append === null) {
      await outbox.deadLetter(entry.seq, 'the queued entry cannot be read back', null);
      return 'dead';
    }
    let result: LogAppendResult;
    try {
      result = await log.append({ conversationId: entry.conversationId, expectedVersion: 'any', ...append });
    } catch (error) {
      if (error instanceof BackendUnavailableError) return 'stop';
      if (isScrollbackError(error) && PERMANENT_CODES.has(error.code)) {
        await outbox.deadLetter(entry.seq, error.message, error.code);
        logger.warn('fallback entry dead-lettered', { conversationId: entry.conversationId, code: error.code });
        return 'dead';
      }
      const attempts = await outbox.recordFailure(entry.seq);
      logger.warn('fallback drain failed', { conversationId: entry.conversationId, attempts, ...describeError(error) });
      if (attempts < MAX_ATTEMPTS) return 'stop';
      const described = describeError(error);
      await outbox.deadLetter(entry.seq, `failed ${attempts} times: ${String(described.detail ?? described.error)}`, null);
      return 'dead';
    }
    options.onDrained?.(entry);
    await options.afterAppend?.(entry.conversationId, result);
    return 'applied';
  };

  const run = async (): Promise<void> => {
    if (outbox.next() === null) {
      options.onEmpty?.();
      return;
    }
    if (!(await outbox.lease(owner, leaseMs))) return;
    let leasedAt = Date.now();
    // Applied but not yet dequeued: a crash here only means they are replayed (already_appended).
    let applied: number[] = [];
    const dequeue = async (): Promise<void> => {
      if (applied.length === 0) return;
      const seqs = applied;
      applied = [];
      await outbox.remove(seqs);
    };
    try {
      let after = 0;
      while (!stopped) {
        // Renewed while at least two thirds of it are left: it cannot lapse during one append,
        // which the lease's length (more than connect plus query timeout) bounds.
        if (Date.now() - leasedAt > leaseMs / 3) {
          if (!(await outbox.lease(owner, leaseMs))) return;
          leasedAt = Date.now();
        }
        const entry = outbox.next(after);
        if (entry === null) {
          options.onEmpty?.();
          return;
        }
        const outcome = await apply(entry);
        if (outcome === 'stop') return;
        after = entry.seq;
        if (outcome === 'applied') applied.push(entry.seq);
        if (applied.length >= DEQUEUE_BATCH) await dequeue();
      }
    } finally {
      try {
        await dequeue();
      } finally {
        await outbox.release(owner);
      }
    }
  };

  const drain = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= run()
      .catch((error: unknown) => logger.warn('fallback drain stopped', describeError(error)))
      .finally(() => {
        running = null;
      });
    return running;
  };

  return {
    start() {
      if (timer !== undefined || stopped) return;
      timer = setInterval(() => void drain(), intervalMs);
      timer.unref();
    },
    wake() {
      if (running === null) void drain();
    },
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
