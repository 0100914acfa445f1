/**
 * The read path's cache tiers (in-process L1, then Redis) and the write-throughs that keep them
 * versioned. Redis failures are a named policy here: the call goes on against the log, the
 * failure is counted and logged, and a conversation whose write-through failed is marked dirty so
 * no tier serves it until its Redis entry has been invalidated. Other instances learn of such a
 * failure through the log (see `onWriteThroughFailed`), since this instance can't tell Redis.
 */
import { describeError, type Logger } from '../logging/logger.js';
import type { StatsRecorder } from '../metrics/stats-recorder.js';
import type { LogAppendResult, TailSnapshot } from '../backends/log.js';
import type { Message } from '../events/types.js';
import type { CachedTail, ConversationCache } from './conversation-cache.js';
import { DirtyEntries } from './dirty-entries.js';

/** The in-process tier, as the tiered cache uses it. */
export interface L1Tier {
  /** The last `n` messages, or null when the entry can't answer for `n` (missing, expired, too short). */
  get(conversationId: string, n: number): CachedTail | null;
  /** Stores the answer to a request for the last `requested` messages; never replaces a newer entry. */
  set(conversationId: string, tail: CachedTail, requested: number): void;
  /** Drops the entry; with a position, refuses tails older than it for a while (a tombstone). */
  invalidate(conversationId: string, position?: number): void;
}

/** Cross-instance invalidation of L1 entries. */
export interface InvalidationPublisher {
  publish(conversationId: string, position?: number): Promise<void>;
}

/**
 * How an L1 entry is trusted. 'strict': served only after one Redis command confirms the cached
 * head is still the entry's, so no instance answers older than an acknowledged append. 'bounded':
 * pub/sub invalidation only; another instance's write may be missed for up to the L1 TTL.
 */
export type L1Consistency = 'strict' | 'bounded';

export type TailSource = 'l1' | 'redis' | 'log';

export interface TieredTail {
  messages: Message[];
  source: TailSource;
  /** The log's snapshot when the tail came from the log (null: unknown conversation). */
  snapshot?: TailSnapshot | null;
}

export interface TieredCacheOptions {
  redis: ConversationCache | null;
  l1: L1Tier | null;
  /** Default 'strict'. */
  consistency?: L1Consistency;
  bus: InvalidationPublisher | null;
  stats: StatsRecorder;
  maxMessages: number;
  logger: Logger;
  /**
   * Redis is known to be unreachable (its breaker is not closed): the store then records the
   * invalidation with the commit instead of attempting a write-through.
   */
  redisDown?: () => boolean;
  /** Records, in the log, that an entry could not be written through (other instances repair it). */
  onWriteThroughFailed?: (conversationId: string, position: number) => Promise<void>;
  /**
   * How long a miss's fill lease lasts (default 1000 ms): longer than a log read takes, since a
   * fill that outlives its lease is refused (the next miss fills instead).
   */
  fillLeaseMs?: number;
}

/** Waits for another reader's fill, doubling: 2 + 4 + … + 64 ms, then the log is read anyway. */
const LEASE_WAITS_MS = [2, 4, 8, 16, 32, 64];

type Flight = Promise<TailSnapshot | null | 'filled-elsewhere'>;

const ignore = (): void => undefined;

export class TieredCache {
  private readonly redis: ConversationCache | null;
  private readonly l1: L1Tier | null;
  private readonly consistency: L1Consistency;
  private readonly bus: InvalidationPublisher | null;
  private readonly stats: StatsRecorder;
  private readonly maxMessages: number;
  private readonly logger: Logger;
  private readonly redisDown: () => boolean;
  private readonly onWriteThroughFailed: ((conversationId: string, position: number) => Promise<void>) | undefined;
  private readonly fillLeaseMs: number;
  private readonly dirty: DirtyEntries;
  private readonly pendingFills = new Map<string, Promise<void>>();
  /** Log reads under way, one per conversation, shared by concurrent misses. */
  private readonly flights = new Map<string, Flight>();

  constructor(options: TieredCacheOptions) {
    this.redis = options.redis;
    this.l1 = options.l1;
    this.consistency = options.consistency ?? 'strict';
    this.bus = options.bus;
    this.stats = options.stats;
    this.maxMessages = options.maxMessages;
    this.logger = options.logger;
    this.redisDown = options.redisDown ?? (() => false);
    this.onWriteThroughFailed = options.onWriteThroughFailed;
    this.fillLeaseMs = options.fillLeaseMs ?? 1000;
    this.dirty = new DirtyEntries({
      logger: this.logger,
      repair: async (conversationId) => {
        if (this.redis === null) return;
        await this.redis.invalidate(conversationId);
        await this.publish(conversationId);
      },
    });
  }

  get enabled(): boolean {
    return this.redis !== null;
  }

  /**
   * Whether an append should record its cache invalidation with the commit: Redis is known down,
   * or this conversation's entry is already awaiting repair, so no write-through will happen.
   */
  writeThroughBlocked(conversationId: string): boolean {
    return this.redis !== null && (this.redisDown() || this.dirty.has(conversationId));
  }

  /**
   * Last `n` (≤ maxMessages) messages: L1, then Redis, then the log (filling both on the way
   * back). Concurrent misses of one conversation share one log read, but only a read that began
   * after they did: a caller that finds one under way waits for it, then looks at the tiers
   * again (its fill has landed by then).
   */
  async tail(conversationId: string, n: number, load: () => Promise<TailSnapshot | null>): Promise<TieredTail> {
    for (let round = 0; ; round++) {
      // This instance reads its own fills: a fill still on its way lands before the next look.
      await this.settled(conversationId);
      const cached = await this.fromTiers(conversationId, n);
      if (cached !== null && cached !== 'redis-failed') return cached;
      const redisUsable = cached === null && !this.dirty.has(conversationId);
      const flight = this.flights.get(conversationId);
      if (flight !== undefined && round === 0) {
        // It may have read the log before an append this caller must see: wait, look again.
        await flight.then(ignore, ignore);
        continue;
      }
      // From round 1 on, any flight under way began after this caller did.
      const result = await (flight ?? this.startFlight(conversationId, load, redisUsable && round < 2));
      if (result === 'filled-elsewhere') continue;
      if (result === null || result.status === 'deleted') return { messages: [], source: 'log', snapshot: result };
      return { messages: result.messages.slice(-n), source: 'log', snapshot: result };
    }
  }

  /** Resolves once no fill started by this instance is under way for the conversation. */
  async settled(conversationId: string): Promise<void> {
    await this.pendingFills.get(conversationId);
  }

  /** L1 (confirmed against Redis in strict mode), then Redis; null on a miss. */
  private async fromTiers(conversationId: string, n: number): Promise<TieredTail | null | 'redis-failed'> {
    if (this.dirty.has(conversationId) || this.redis === null) return null;
    if (this.l1 !== null) {
      const started = performance.now();
      const hit = this.l1.get(conversationId, n);
      if (hit !== null && this.consistency === 'bounded') {
        this.stats.record('l1', 'hit', performance.now() - started);
        return { messages: hit.messages, source: 'l1' };
      }
      if (hit !== null) {
        let head: number | null;
        try {
          head = await this.redis.head(conversationId);
        } catch (error) {
          this.stats.record('redis', 'error', performance.now() - started);
          this.logger.warn('redis head check failed; reading the log', { conversationId, ...describeError(error) });
          return 'redis-failed';
        }
        if (head === hit.position) {
          this.stats.record('l1', 'hit', performance.now() - started);
          return { messages: hit.messages, source: 'l1' };
        }
        this.l1.invalidate(conversationId, head ?? undefined);
      }
      this.stats.record('l1', 'miss', performance.now() - started);
    }
    const started = performance.now();
    try {
      const hit = await this.redis.read(conversationId, n);
      this.stats.record('redis', hit ? 'hit' : 'miss', performance.now() - started);
      if (hit === null) return null;
      this.l1?.set(conversationId, hit, n);
      return { messages: hit.messages, source: 'redis' };
    } catch (error) {
      this.stats.record('redis', 'error', performance.now() - started);
      this.logger.warn('redis read failed; reading the log', { conversationId, ...describeError(error) });
      return 'redis-failed';
    }
  }

  private startFlight(conversationId: string, load: () => Promise<TailSnapshot | null>, lease: boolean): Flight {
    const flight: Flight = (async () => {
      // Only a reader holding the lease may fill, and it takes it before reading the log.
      const token = lease ? await this.takeLease(conversationId) : null;
      if (token === 'held-elsewhere') return (await this.waitForOtherFill(conversationId)) ? 'filled-elsewhere' : this.loadOnly(load);
      const snapshot = await this.loadOnly(load);
      // Registered before the flight settles, so whoever waited on it also waits for the fill.
      if (token !== null && snapshot !== null && snapshot.status !== 'deleted' && !this.dirty.has(conversationId)) {
        this.fillInBackground(conversationId, snapshot, token);
      }
      return snapshot;
    })().finally(() => {
      if (this.flights.get(conversationId) === flight) this.flights.delete(conversationId);
    });
    this.flights.set(conversationId, flight);
    return flight;
  }

  private async loadOnly(load: () => Promise<TailSnapshot | null>): Promise<TailSnapshot | null> {
    const started = performance.now();
    try {
      const snapshot = await load();
      this.stats.record('log', snapshot ? 'hit' : 'miss', performance.now() - started);
      return snapshot;
    } catch (error) {
      this.stats.record('log', 'error', performance.now() - started);
      throw error;
    }
  }

  /** The fill lease's token; 'held-elsewhere' when another reader has it; null when Redis failed. */
  private async takeLease(conversationId: string): Promise<string | 'held-elsewhere' | null> {
    if (this.redis === null) return null;
    try {
      return (await this.redis.lease(conversationId, this.fillLeaseMs)) ?? 'held-elsewhere';
    } catch (error) {
      this.stats.record('redis', 'error', 0);
      this.logger.warn('redis fill lease failed; reading the log without a refill', { conversationId, ...describeError(error) });
      return null;
    }
  }

  /** Another instance is refilling the entry: true once it is there (the caller looks again). */
  private async waitForOtherFill(conversationId: string): Promise<boolean> {
    if (this.redis === null) return false;
    try {
      for (const ms of LEASE_WAITS_MS) {
        await new Promise((resolve) => setTimeout(resolve, ms));
        if ((await this.redis.head(conversationId)) !== null) return true;
      }
    } catch (error) {
      this.stats.record('redis', 'error', 0);
      this.logger.warn('redis read failed while waiting for a refill; reading the log', { conversationId, ...describeError(error) });
    }
    return false;
  }

  private fillInBackground(conversationId: string, snapshot: TailSnapshot, token: string): void {
    const pending: Promise<void> = this.fill(conversationId, snapshot, token).finally(() => {
      if (this.pendingFills.get(conversationId) === pending) this.pendingFills.delete(conversationId);
    });
    this.pendingFills.set(conversationId, pending);
  }

  /**
   * Reads the log under a fill lease and writes the snapshot (its last maxMessages messages) into
   * Redis and L1, fenced: `cache.warm`. 'held-elsewhere' when another reader holds the lease (it fills).
   */
  async warm(conversationId: string, load: () => Promise<TailSnapshot | null>): Promise<TailSnapshot | null | 'held-elsewhere'> {
    const token = await this.takeLease(conversationId);
    if (token === 'held-elsewhere') return token;
    const snapshot = await this.loadOnly(load);
    if (snapshot !== null && snapshot.status !== 'deleted' && token !== null) await this.fill(conversationId, snapshot, token);
    return snapshot;
  }

  /** Writes a snapshot of the log into Redis (under `token`, the fill lease) and then L1. */
  private async fill(conversationId: string, snapshot: TailSnapshot, token: string): Promise<void> {
    const tail: CachedTail = { version: snapshot.version, position: snapshot.position, messages: snapshot.messages.slice(-this.maxMessages) };
    if (this.redis !== null) {
      try {
        const outcome = await this.redis.fill(conversationId, tail, token);
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

  /**
   * Write-through after a committed append. `recorded`: the append already recorded its
   * invalidation in the log (Redis was known down), so there is nothing to attempt here.
   */
  async afterAppend(conversationId: string, result: LogAppendResult, recorded = false): Promise<void> {
    if (result.outcome === 'already_appended') return;
    // Our own fill first, so this write-through lands on top of it rather than fencing it out.
    await this.settled(conversationId);
    // This instance's full L1 entry, if it held the previous head, is extended once Redis agrees.
    const previous = this.l1?.get(conversationId, this.maxMessages) ?? null;
    this.l1?.invalidate(conversationId, result.position);
    if (this.redis === null) return;
    if (recorded || this.dirty.has(conversationId)) {
      this.dirty.add(conversationId);
      return;
    }
    const appended: CachedTail = { version: result.version, position: result.position, messages: result.messages };
    // A new conversation is not filled here: only a fill under a lease taken before its snapshot
    // is safe against a concurrent append whose fence was evicted, so its first read fills it.
    // The append script on the missing entry raises the fence and revokes any lease.
    const writing = this.redis.append(conversationId, result.previousVersion, appended);
    // Only bounded instances announce appends: they trust the bus, while a strict instance
    // confirms every L1 hit against Redis and would gain nothing but a dropped entry from the
    // message, which costs a Redis command per append and a delivery to every instance. Sent
    // with the write-through, on the same connection, so Redis runs it after the script; the
    // position rides along so a read racing it elsewhere can't store the older tail afterwards.
    const publishing = this.consistency === 'bounded' ? this.publish(conversationId, result.position) : undefined;
    try {
      const outcome = await writing;
      this.stats.script(outcome);
      if (outcome === 'ok' && this.l1 !== null && previous !== null && previous.version === result.previousVersion) {
        this.l1.set(conversationId, { ...appended, messages: [...previous.messages, ...appended.messages].slice(-this.maxMessages) }, this.maxMessages);
      }
    } catch (error) {
      this.stats.record('redis', 'error', 0);
      this.logger.warn('redis write-through failed; the entry is bypassed until invalidated', { conversationId, ...describeError(error) });
      this.dirty.add(conversationId);
      await this.recordFailure(conversationId, result.position);
    }
    await publishing;
  }

  /** Drops a conversation from every tier and raises the Redis fence (rename, redact, delete, evict). */
  async invalidate(conversationId: string, position?: number): Promise<void> {
    // A fill of ours still on its way must not land after the drop.
    await this.settled(conversationId);
    this.l1?.invalidate(conversationId, position);
    if (this.redis !== null) {
      try {
        await this.redis.invalidate(conversationId, position);
        this.dirty.delete(conversationId);
      } catch (error) {
        this.stats.record('redis', 'error', 0);
        this.logger.warn('redis invalidation failed; the entry is bypassed until invalidated', { conversationId, ...describeError(error) });
        this.dirty.add(conversationId);
        if (position !== undefined) await this.recordFailure(conversationId, position);
      }
    }
    await this.publish(conversationId, position);
  }

  /**
   * Applies an invalidation another instance recorded in the log: drops this instance's L1 copy
   * and the Redis entry, unless the entry already reflects that position or later.
   */
  async repair(conversationId: string, position: number): Promise<void> {
    this.l1?.invalidate(conversationId, position);
    if (this.redis === null) return;
    await this.redis.invalidate(conversationId, position, { onlyOlder: true });
  }

  /** Waits for the fills under way, so closing never cuts one off mid-flight. */
  async drain(): Promise<void> {
    await Promise.all([...this.pendingFills.values()]);
  }

  close(): void {
    this.dirty.close();
  }

  private async recordFailure(conversationId: string, position: number): Promise<void> {
    if (this.onWriteThroughFailed === undefined) return;
    try {
      await this.onWriteThroughFailed(conversationId, position);
    } catch (error) {
      // The dirty mark still repairs the entry once Redis answers; until then the TTL bounds it.
      this.logger.error('recording a failed cache write-through in the log failed', { conversationId, ...describeError(error) });
    }
  }

  private async publish(conversationId: string, position?: number): Promise<void> {
    if (this.bus === null) return;
    try {
      await this.bus.publish(conversationId, position);
    } catch (error) {
      // Other instances' L1 entries are confirmed against Redis (strict) or live out their short
      // TTL (bounded); the subscriber side resets on gaps.
      this.logger.warn('L1 invalidation publish failed', { conversationId, ...describeError(error) });
    }
  }
}
