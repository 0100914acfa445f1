/**
 * Applies the cache invalidations that other instances recorded in the log because they could
 * not reach Redis (a wrong URL, a partition). Without this, an instance appending to PostgreSQL
 * while cut off from Redis would leave every other instance serving the entry it could not
 * update, for as long as reads keep sliding its TTL.
 *
 * Woken by the log's notification and by a poll (a notification is only a hint), it reads the
 * rows recorded since the last look minus a margin — a row becomes visible when its transaction
 * commits, up to one statement timeout after its timestamp — and remembers which it applied.
 * It applies nothing while its own Redis is unreachable, and then resumes where it stopped.
 */
import type { CacheInvalidationLog } from '../backends/log.js';
import { describeError, type Logger } from '../logging/logger.js';

export interface InvalidationFollowerOptions {
  source: CacheInvalidationLog;
  /** Drops the entry unless it already reflects `position` (idempotent: every instance may apply a row). */
  apply: (conversationId: string, position: number) => Promise<void>;
  /** False while this instance's Redis is known to be down: nothing can be applied. */
  canApply: () => boolean;
  logger: Logger;
  /** Default 250 ms, so a lost notification still leaves the repair well within a second. */
  pollMs?: number;
  /** How far behind the last look a row may still appear (default 10 s: above the statement timeout). */
  marginMs?: number;
}

export interface InvalidationFollower {
  /** Resolves once every row visible at the call's start has been applied (for tests and shutdown). */
  catchUp(): Promise<void>;
  /** Stops following; resolves once a look under way has finished (before the pool closes). */
  close(): Promise<void>;
}

const PAGE = 1000;
const PRUNE_EVERY_MS = 60_000;

export function startInvalidationFollower(options: InvalidationFollowerOptions): InvalidationFollower {
  const pollMs = options.pollMs ?? 250;
  const marginMs = options.marginMs ?? 10_000;
  /** Database time of the last complete look; null until the first (which reads the whole window). */
  let lookedAt: Date | null = null;
  /** Rows applied within the margin, by id, with their timestamps (to forget them later). */
  const applied = new Map<string, number>();
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let lastPrune = 0;

  const look = async (): Promise<void> => {
    if (!options.canApply()) return;
    let after = lookedAt === null ? null : new Date(lookedAt.getTime() - marginMs);
    for (;;) {
      const { at, rows } = await options.source.recent(after, PAGE);
      for (const row of rows) {
        if (applied.has(row.id)) continue;
        await options.apply(row.conversationId, row.position);
        applied.set(row.id, row.recordedAt.getTime());
      }
      const last = rows.at(-1);
      if (rows.length < PAGE || last === undefined) {
        lookedAt = at;
        break;
      }
      // A full page: go on from its last row (equal timestamps are re-read and skipped by id).
      after = new Date(last.recordedAt.getTime() - 1);
    }
    const forgetBefore = (lookedAt?.getTime() ?? 0) - 2 * marginMs;
    for (const [id, recordedAt] of applied) if (recordedAt < forgetBefore) applied.delete(id);
    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      await options.source.prune();
    }
  };

  const run = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await look();
        } catch (error) {
          // The log or Redis is down: the next poll tries again from the same point.
          if (closed) return;
          options.logger.warn('applying recorded cache invalidations failed; retrying', describeError(error));
          return;
        }
      } while (again && !closed);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const stopListening = options.source.onRecorded(() => void run());
  const timer = setInterval(() => void run(), pollMs);
  timer.unref();
  void run();

  return {
    async catchUp() {
      await running;
      await run();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      stopListening();
      await running;
    },
  };
}
