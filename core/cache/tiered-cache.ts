/**
 * The read path's cache tiers (in-process L1, then Redis) and the write-throughs that keep them
 * versioned. Redis failures are a named policy here: the call goes on against the log, the
 * failure is counted and logged, and a conversation whose write-through failed is marked dirty so
 * no tier serves it until its Redis entry has been invalidated.
 */
import { describeError, type Logger } from '../logging/logger.js';
import type { StatsRecorder } from '../metrics/stats-recorder.js';
import type { LogAppendResult, TailSnapshot } from '../backends/log.js';
import type { Message } from '../events/types.js';
import type { CachedTail, ConversationCache } from './conversation-cache.js';

/** The in-process tier, as the tiered cache uses it. */
export interface L1Tier {
  /** The last `n` messages, or null when the entry can't answer for `n` (missing, expired, too short). */
  get(conversationId: string, n: number): CachedTail | null;
  /** Stores the answer to a request for the last `requested` messages; never replaces a newer entry. */
  set(conversationId: string, tail: CachedTail, requested: number): void;
  delete(conversationId: string): void;
}

/** Cross-instance invalidation of L1 entries. */
export interface InvalidationPublisher {
  publish(conversationId: string): Promise<void>;
}

export type TailSource = 'l1' | 'redis' | 'log';

export interface TieredTail {
  messages: Message[];
  source: TailSource;
  /** The log's snapshot when the tail came from the log (null: unknown conversation). */
  snapshot?: TailSnapshot | null;
}

const MAX_DIRTY = 100_000;
const FLUSH_INTERVAL_MS = 1000;

export class TieredCache {
  private readonly dirty = new Set<string>();
  private readonly pendingFills = new Map<string, Promise<void>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(
    private readonly redis: ConversationCache | null,
    private readonly l1: L1Tier | null,
    private readonly bus: InvalidationPublisher | null,
    private readonly stats: StatsRecorder,
    private readonly maxMessages: number,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  /** Last `n` (≤ maxMessages) messages: L1, then Redis, then the log (filling both on the way back). */
  async tail(conversationId: string, n: number, load: () => Promise<TailSnapshot | null>): Promise<TieredTail> {
    // This instance reads its own fills: a fill still on its way lands before the next look.
    await this.settled(conversationId);
    const clean = !this.dirty.has(conversationId);
    if (this.l1 !== null && clean) {
      const started = performance.now();
      const hit = this.l1.get(conversationId, n);
      this.stats.record('l1', hit ? 'hit' : 'miss', performance.now() - started);
      if (hit) return { messages: hit.messages, source: 'l1' };
    }
    if (this.redis !== null && clean) {
      const started = performance.now();
      try {
        const hit = await this.redis.read(conversationId, n);
        this.stats.record('redis', hit ? 'hit' : 'miss', performance.now() - started);
        if (hit) {
          this.l1?.set(conversationId, hit, n);
          return { messages: hit.messages, source: 'redis' };
        }
      } catch (error) {
        this.stats.record('redis', 'error', performance.now() - started);
        this.logger.warn('redis read failed; reading the log', { conversationId, ...describeError(error) });
      }
    }
    const started = performance.now();
    let snapshot: TailSnapshot | null;
    try {
      snapshot = await load();
    } catch (error) {
      this.stats.record('log', 'error', performance.now() - started);
      throw error;
    }
    this.stats.record('log', snapshot ? 'hit' : 'miss', performance.now() - started);
    if (snapshot === null || snapshot.status === 'deleted') return { messages: [], source: 'log', snapshot };
    // The caller has its answer: the fill (fenced, safe to land late) goes on without it.
    if (clean) this.fillInBackground(conversationId, snapshot);
    return { messages: snapshot.messages.slice(-n), source: 'log', snapshot };
  }

  /** Resolves once no fill started by this instance is under way for the conversation. */
  async settled(conversationId: string): Promise<void> {
    await this.pendingFills.get(conversationId);
  }

  private fillInBackground(conversationId: string, snapshot: TailSnapshot): void {
    const pending: Promise<void> = this.fill(conversationId, snapshot).finally(() => {
      if (this.pendingFills.get(conversationId) === pending) this.pendingFills.delete(conversationId);
    });
    this.pendingFills.set(conversationId, pending);
  }

  /** Writes a snapshot of the log (the last maxMessages messages) into Redis and L1, fenced. */
  async fill(conversationId: string, snapshot: TailSnapshot): Promise<void> {
    const tail: CachedTail = { version: snapshot.version, position: snapshot.position, messages: snapshot.messages.slice(-this.maxMessages) };
    if (this.redis !== null) {
      try {
        const outcome = await this.redis.fill(conversationId, tail);
        this.stats.script(outcome);
        // A refused fill means something newer exists: L1 must not take the old snapshot either.
        if (outcome !== 'ok') return;
      } catch (error) {
        this.stats.record('redis', 'error', 0);
        this.logger.warn('redis fill failed', { conversationId, ...describeError(error) });
        return;
      }
    }
    this.l1?.set(conversationId, tail, this.maxMessages);
  }

  /** Write-through after a committed append. */
  async afterAppend(conversationId: string, result: LogAppendResult): Promise<void> {
    if (result.outcome === 'already_appended') return;
    // Our own fill first, so this write-through lands on top of it rather than fencing it out.
    await this.settled(conversationId);
    // This instance's full L1 entry, if it held the previous head, is extended once Redis agrees.
    const previous = this.l1?.get(conversationId, this.maxMessages) ?? null;
    this.l1?.delete(conversationId);
    if (this.redis === null) return;
    if (this.dirty.has(conversationId)) return;
    const appended: CachedTail = { version: result.version, position: result.position, messages: result.messages };
    try {
      // A new conversation's whole history is what we just wrote: fill it (fenced like any fill).
      const outcome = result.created
        ? await this.redis.fill(conversationId, { ...appended, messages: appended.messages.slice(-this.maxMessages) })
        : await this.redis.append(conversationId, result.previousVersion, appended);
      this.stats.script(outcome);
      if (outcome === 'ok' && this.l1 !== null) {
        if (result.created) this.l1.set(conversationId, { ...appended, messages: appended.messages.slice(-this.maxMessages) }, this.maxMessages);
        else if (previous !== null && previous.version === result.previousVersion) {
          this.l1.set(conversationId, { ...appended, messages: [...previous.messages, ...appended.messages].slice(-this.maxMessages) }, this.maxMessages);
        }
      }
    } catch (error) {
      this.stats.record('redis', 'error', 0);
      this.markDirty(conversationId, error);
    }
    // Not awaited: other instances' L1 entries are a hint-driven tier with a short TTL, and the
    // append's caller should not wait a further round trip for them (publish logs its failures).
    void this.publish(conversationId);
  }

  /** Drops a conversation from every tier and raises the Redis fence (rename, redact, delete, evict). */
  async invalidate(conversationId: string, position?: number): Promise<void> {
    // A fill of ours still on its way must not land after the drop.
    await this.settled(conversationId);
    this.l1?.delete(conversationId);
    if (this.redis !== null) {
      try {
        await this.redis.invalidate(conversationId, position);
        this.dirty.delete(conversationId);
      } catch (error) {
        this.stats.record('redis', 'error', 0);
        this.markDirty(conversationId, error);
      }
    }
    await this.publish(conversationId);
  }

  /** Waits for the fills under way, so closing never cuts one off mid-flight. */
  async drain(): Promise<void> {
    await Promise.all([...this.pendingFills.values()]);
  }

  close(): void {
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
  }

  private markDirty(conversationId: string, error: unknown): void {
    this.logger.warn('redis write-through failed; the entry is bypassed until invalidated', { conversationId, ...describeError(error) });
    if (this.dirty.size >= MAX_DIRTY) {
      // Bounded memory: the oldest dirty id falls back on the entry TTL as its staleness bound.
      const oldest = this.dirty.values().next();
      if (!oldest.done) this.dirty.delete(oldest.value);
      this.logger.error('too many conversations awaiting cache invalidation; relying on TTL for the oldest', { limit: MAX_DIRTY });
    }
    this.dirty.add(conversationId);
    if (this.flushTimer === undefined) {
      this.flushTimer = setInterval(() => void this.flushDirty(), FLUSH_INTERVAL_MS);
      this.flushTimer.unref();
    }
  }

  /** Retries invalidations of dirty entries until Redis takes them. */
  private async flushDirty(): Promise<void> {
    if (this.flushing || this.redis === null) return;
    this.flushing = true;
    try {
      for (const conversationId of [...this.dirty]) {
        try {
          await this.redis.invalidate(conversationId);
          this.dirty.delete(conversationId);
          await this.publish(conversationId);
        } catch {
          // Still unreachable: keep the rest for the next round (the failure was logged when marked).
          break;
        }
      }
    } finally {
      this.flushing = false;
      if (this.dirty.size === 0 && this.flushTimer !== undefined) {
        clearInterval(this.flushTimer);
        this.flushTimer = undefined;
      }
    }
  }

  private async publish(conversationId: string): Promise<void> {
    if (this.bus === null) return;
    try {
      await this.bus.publish(conversationId);
    } catch (error) {
      // Other instances' L1 entries then live out their short TTL; the subscriber side resets on gaps.
      this.logger.warn('L1 invalidation publish failed', { conversationId, ...describeError(error) });
    }
  }
}
