/**
 * What 'hybrid+fallback' mode adds to the store: where an append goes when PostgreSQL is
 * unreachable, how a tail shows what this machine has queued, and the drainer and dead letters.
 *
 * Routing of an append with expectedVersion 'any' (the only kind that can be taken offline — any
 * other expected version cannot be checked without the log):
 * - the log is known down (its last call failed as unreachable): into the outbox;
 * - the conversation has entries queued: the append waits (up to `backlogWaitMs`) for the drainer
 *   to replay them, then goes to the log; if they are still queued by then, into the outbox behind
 *   them. Either way the log receives a conversation's appends in the order they were
 *   acknowledged, and writers are slowed down rather than growing a backlog the drain never
 *   catches up with;
 * - otherwise to the log, and into the outbox only if the log fails as unreachable.
 */
import type { EventLog, LogAppendRequest, LogAppendResult } from '../backends/log.js';
import type { SqliteDurability } from '../backends/sqlite/durability.js';
import { BackendUnavailableError, ValidationError } from '../errors/errors.js';
import type { ExpectedVersion, Message, QueuedAppendResult, QueuedMessage, TailMessage } from '../events/types.js';
import { describeError, type Logger } from '../logging/logger.js';
import { createDrainer, type Drainer } from './drainer.js';
import { openOutbox, type Outbox } from './outbox.js';
import type { FallbackApi, FallbackStats } from './types.js';

export interface StoreFallbackOptions {
  path: string;
  durability: SqliteDurability;
  /** The (tracked) log the drainer replays to. */
  log: EventLog;
  /** The log's last known state. */
  logState: () => 'up' | 'down';
  afterAppend: (conversationId: string, result: LogAppendResult) => Promise<void>;
  logger: Logger;
  owner: string;
  /** Must exceed the longest single log append (connect plus query timeout). */
  leaseMs: number;
  /** How long an append waits for its conversation's backlog to drain before queuing behind it. */
  backlogWaitMs: number;
  drainIntervalMs?: number;
}

const BACKLOG_POLL_MS = 10;

export interface StoreFallback {
  /** Where this append goes first (see the routing rules above); may wait for a backlog. */
  route(conversationId: string, expectedVersion: ExpectedVersion): Promise<'outbox' | 'log'>;
  /** True when an append that failed with `error` is taken by the outbox instead. */
  takesFailed(error: unknown, expectedVersion: ExpectedVersion): boolean;
  /** Queues an append; `logError` is the outage that sent it here, if any (kept as a cause). */
  enqueue(request: LogAppendRequest, logError?: unknown): Promise<QueuedAppendResult>;
  /**
   * A tail: `base` (the cache tiers, then the log) followed by what is queued here for the
   * conversation. With the log unreachable and no tier answering, the queued messages alone
   * (source 'outbox'); with nothing queued either, the outage error.
   */
  tail<S extends string>(
    conversationId: string,
    n: number,
    base: () => Promise<{ messages: Message[]; source: S }>,
  ): Promise<{ messages: TailMessage[]; source: S | 'outbox' }>;
  /** A log call succeeded: drain if anything may be queued. */
  logAnswered(): void;
  stats(): FallbackStats;
  /** 'down' after an outbox operation failed, until one succeeds. */
  state(): 'up' | 'down';
  ping(): Promise<void>;
  readonly api: FallbackApi;
  /** Stops the drainer (before the cache and log close). */
  stop(): Promise<void>;
  close(): void;
}

const isLogOutage = (error: unknown): boolean => error instanceof BackendUnavailableError && error.backend === 'postgres';

export function openStoreFallback(options: StoreFallbackOptions): StoreFallback {
  const outbox: Outbox = openOutbox({ path: options.path, durability: options.durability });
  let drained = 0;
  let lastCounts: Omit<FallbackStats, 'drained'> = { queued: 0, deadLettered: 0, oldestQueuedAt: null };
  let outboxState: 'up' | 'down' = 'up';
  // Set when something may be queued (by this process or, seen by a timer turn, another one), so
  // that a successful log call only looks at the file when a drain could have work.
  let maybeQueued = true;

  const track = <T>(work: () => T): T => {
    try {
      const value = work();
      outboxState = 'up';
      return value;
    } catch (error) {
      outboxState = 'down';
      throw error;
    }
  };

  const drainer: Drainer = createDrainer({
    outbox,
    log: options.log,
    owner: options.owner,
    logger: options.logger,
    leaseMs: options.leaseMs,
    ...(options.drainIntervalMs !== undefined ? { intervalMs: options.drainIntervalMs } : {}),
    afterAppend: options.afterAppend,
    onDrained: () => {
      drained++;
    },
    onEmpty: () => {
      maybeQueued = false;
    },
  });
  drainer.start();
  // The log's state is what this process last saw. While it is down and another process holds
  // the drain lease, nothing here would call the log again, and every append would keep going to
  // the outbox: probe it on the drain interval instead.
  const probe = setInterval(() => {
    if (options.logState() !== 'down') return;
    // A failure is already recorded by the tracked log as its state; the next turn probes again.
    options.log.ping().catch(() => undefined);
  }, options.drainIntervalMs ?? 1000);
  probe.unref();

  const known = async (id: unknown, change: (id: string) => Promise<boolean>): Promise<void> => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new ValidationError('id', 'must be a dead letter id');
    if (!(await change(id))) throw new ValidationError('id', 'no such dead letter');
  };

  return {
    async route(conversationId, expectedVersion) {
      if (expectedVersion !== 'any') return 'log';
      if (options.logState() === 'down') return 'outbox';
      if (!track(() => outbox.hasQueued(conversationId))) return 'log';
      drainer.wake();
      const deadline = Date.now() + options.backlogWaitMs;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, BACKLOG_POLL_MS));
        if (options.logState() === 'down') return 'outbox';
        if (!track(() => outbox.hasQueued(conversationId))) return 'log';
      }
      return 'outbox';
    },

    takesFailed(error, expectedVersion) {
      return expectedVersion === 'any' && isLogOutage(error);
    },

    async enqueue(request, logError) {
      let entry;
      try {
        entry = await outbox.enqueue(request);
        outboxState = 'up';
      } catch (error) {
        outboxState = 'down';
        throw new BackendUnavailableError('postgres', 'the log is unreachable and the fallback outbox refused the write', {
          cause: logError === undefined ? error : new AggregateError([logError, error]),
        });
      }
      maybeQueued = true;
      drainer.wake();
      const messages = request.messages.map(
        (m): QueuedMessage => ({
          id: m.id,
          conversationId: request.conversationId,
          version: null,
          role: m.role,
          content: m.content,
          createdAt: entry.queuedAt,
          metadata: m.metadata,
          redacted: false,
        }),
      );
      return { conversationId: request.conversationId, version: null, position: null, outcome: 'queued', messages };
    },

    async tail<S extends string>(conversationId: string, n: number, base: () => Promise<{ messages: Message[]; source: S }>) {
      // Queued first: an entry drained between the two reads then shows in both (and is dropped
      // from the queued side by id) rather than in neither.
      const queued = n === 0 ? [] : track(() => outbox.queuedMessages(conversationId));
      let answer: { messages: Message[]; source: S };
      try {
        answer = await base();
      } catch (error) {
        if (!isLogOutage(error) || queued.length === 0) throw error;
        return { messages: queued.slice(-n), source: 'outbox' };
      }
      if (queued.length === 0) return answer;
      const inLog = new Set(answer.messages.map((m) => m.id));
      const merged: TailMessage[] = [...answer.messages, ...queued.filter((m) => !inLog.has(m.id))];
      return { messages: merged.slice(-n), source: answer.source };
    },

    logAnswered() {
      if (maybeQueued) drainer.wake();
    },

    stats() {
      try {
        lastCounts = track(() => outbox.counts());
        maybeQueued ||= lastCounts.queued > 0;
      } catch (error) {
        // stats() must answer: the last figures stand, and the failure is reported.
        options.logger.warn('reading fallback outbox figures failed', describeError(error));
      }
      return { ...lastCounts, drained };
    },

    state: () => outboxState,

    async ping() {
      track(() => outbox.ping());
    },

    api: {
      async deadLetters() {
        return track(() => outbox.deadLetters());
      },
      async retry(id) {
        await known(id, (value) => outbox.retry(value));
        maybeQueued = true;
        drainer.wake();
      },
      async discard(id) {
        await known(id, (value) => outbox.discard(value));
      },
    },

    async stop() {
      clearInterval(probe);
      await drainer.stop();
    },

    close() {
      outbox.close();
    },
  };
}
