/**
 * The shared cache tier (Redis): a versioned copy of the last N messages of each conversation.
 * Every write is a script that checks versions, so late, repeated or out-of-order writes can't
 * leave a stale entry behind. Positions (global, never reused) fence fills, so a slow reader can't
 * write an old history back, even across a hard delete that frees the id.
 */
import type { Message } from '../events/types.js';

/** What a cache script did. */
export type ScriptOutcome = 'ok' | 'duplicate' | 'cold' | 'gap' | 'fenced';
export const SCRIPT_OUTCOMES: readonly ScriptOutcome[] = ['ok', 'duplicate', 'cold', 'gap', 'fenced'];

/** A cached tail: the head it reflects and the last messages, oldest first. */
export interface CachedTail {
  version: number;
  /** Position of the conversation's last event at that head. */
  position: number;
  messages: Message[];
}

/** The raw entry, for inspection. */
export interface CacheEntry {
  version: number;
  position: number;
  messages: Message[];
  /** Seconds left, -1 when a key has no TTL (which the store never leaves). */
  ttlSeconds: number;
}

export interface CacheInspection {
  /** null when nothing (or only a torn remainder) is cached. */
  entry: CacheEntry | null;
  /** True when part of the entry is missing (meta without list or the reverse). */
  torn: boolean;
  /** Highest position a fill must reach to be accepted; null when no fence is set. */
  fence: number | null;
}

export interface ConversationCache {
  /** The last `n` messages; null on a miss. A torn entry counts as a miss and is dropped. Slides the TTL. */
  read(conversationId: string, n: number): Promise<CachedTail | null>;

  /**
   * Write-through after a commit: `appended` holds the new head and the messages it added (maybe
   * none). Applies only when the entry is at `previousVersion`; a duplicate is ignored; a gap
   * drops the entry; a cold key is not created, the fence is raised instead.
   */
  append(conversationId: string, previousVersion: number, appended: CachedTail): Promise<ScriptOutcome>;

  /**
   * Replaces the entry with a snapshot read from the log, unless the fence or entry is newer.
   * With `leaseToken` (from `lease`, taken before the log was read), also refused unless that
   * lease is still held: every write revokes it, so a lost fence can't let an old snapshot in.
   */
  fill(conversationId: string, snapshot: CachedTail, leaseToken?: string): Promise<ScriptOutcome>;

  /**
   * Drops the entry and raises the fence to at least `position` (default: the entry's own). With
   * `onlyOlder`, an entry already at or past `position` is kept.
   */
  invalidate(conversationId: string, position?: number, options?: { onlyOlder?: boolean }): Promise<void>;

  /**
   * The position of the cached head, null when nothing is cached: one small command, which is
   * what lets an in-process copy be served without staleness. Slides the TTL now and then.
   */
  head(conversationId: string): Promise<number | null>;

  /**
   * Takes the right to fill a missing entry for `ms` (one lease per conversation, shared by all
   * instances): its token for `fill`, or null while another reader holds it.
   */
  lease(conversationId: string, ms: number): Promise<string | null>;

  inspect(conversationId: string): Promise<CacheInspection>;
}
