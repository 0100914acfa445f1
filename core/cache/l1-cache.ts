/**
 * The in-process tier in front of Redis: a small LRU of cached tails with a short TTL. Entries
 * are versioned (an older tail never replaces a newer one). An invalidation leaves a tombstone
 * with the position it was raised for, so a read that began before the invalidation can't store
 * its older answer after it. Not shared between processes; holds only what Redis or the log
 * returned. Whether an entry may be served without asking Redis is the caller's policy.
 */
import type { CachedTail } from './conversation-cache.js';

export interface L1CacheOptions {
  /** Most conversations kept, default 10,000 (least recently used goes first). */
  maxEntries?: number;
  /** Default 2000 ms. */
  ttlMs?: number;
  /** Most tombstones kept (default 10,000); the oldest goes first. */
  maxTombstones?: number;
  /**
   * How long a tombstone refuses older tails (default 30 s): longer than any read can take
   * (Redis commands and log queries are bounded well below it).
   */
  tombstoneMs?: number;
  /** Milliseconds clock, injected in tests. */
  now?: () => number;
}

export interface L1Cache {
  /** The last `n` messages (oldest first) with the head they reflect, or null. */
  get(conversationId: string, n: number): CachedTail | null;
  /**
   * Stores `tail`, the answer to a request for the last `requested` messages. Returns false (and
   * keeps the entry) when the entry already reflects a newer position.
   */
  set(conversationId: string, tail: CachedTail, requested: number): boolean;
  /** Drops the entry; with a position, also refuses any later `set` of a tail older than it. */
  invalidate(conversationId: string, position?: number): void;
  clear(): void;
  readonly size: number;
}

interface Entry {
  tail: CachedTail;
  /** The tail holds the whole history: it answered `requested` with fewer messages. */
  whole: boolean;
  expiresAt: number;
}

export function createL1Cache(options: L1CacheOptions = {}): L1Cache {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 2000;
  const maxTombstones = options.maxTombstones ?? 10_000;
  const tombstoneMs = options.tombstoneMs ?? 30_000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use makes the first key the LRU one.
  const entries = new Map<string, Entry>();
  const tombstones = new Map<string, { position: number; expiresAt: number }>();

  /** The position below which tails of this conversation are refused, if any. */
  const floorOf = (conversationId: string): number | null => {
    const tombstone = tombstones.get(conversationId);
    if (tombstone === undefined) return null;
    if (tombstone.expiresAt <= now()) {
      tombstones.delete(conversationId);
      return null;
    }
    return tombstone.position;
  };

  const live = (conversationId: string): Entry | null => {
    const entry = entries.get(conversationId);
    if (entry === undefined) return null;
    if (entry.expiresAt <= now()) {
      entries.delete(conversationId);
      return null;
    }
    return entry;
  };

  return {
    get(conversationId, n) {
      const entry = live(conversationId);
      if (entry === null) return null;
      const { messages } = entry.tail;
      if (n > messages.length && !entry.whole) return null;
      entries.delete(conversationId);
      entries.set(conversationId, entry);
      return {
        version: entry.tail.version,
        position: entry.tail.position,
        messages: n <= 0 ? [] : messages.slice(-n),
      };
    },

    set(conversationId, tail, requested) {
      const floor = floorOf(conversationId);
      if (floor !== null && tail.position < floor) return false;
      const current = live(conversationId);
      if (current !== null && current.tail.position > tail.position) return false;
      const whole = tail.messages.length < requested;
      // Same head: keep whichever answers more requests.
      if (
        current !== null &&
        current.tail.position === tail.position &&
        (current.whole || (!whole && current.tail.messages.length >= tail.messages.length))
      ) {
        return false;
      }
      entries.delete(conversationId);
      entries.set(conversationId, {
        tail: { version: tail.version, position: tail.position, messages: [...tail.messages] },
        whole,
        expiresAt: now() + ttlMs,
      });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
      return true;
    },

    invalidate(conversationId, position) {
      entries.delete(conversationId);
      if (position === undefined) return;
      const floor = floorOf(conversationId);
      tombstones.delete(conversationId);
      tombstones.set(conversationId, { position: Math.max(position, floor ?? position), expiresAt: now() + tombstoneMs });
      while (tombstones.size > maxTombstones) {
        const oldest = tombstones.keys().next();
        if (oldest.done === true) break;
        tombstones.delete(oldest.value);
      }
    },

    clear() {
      // Tombstones stay: they only ever refuse tails older than something already known.
      entries.clear();
    },

    get size() {
      return entries.size;
    },
  };
}
