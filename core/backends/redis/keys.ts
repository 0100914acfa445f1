/**
 * Redis key layout. Every key of one conversation carries the same hash tag, so multi-key scripts
 * stay in one Cluster slot. The tag is the id in base64url: Cluster hashes only the text between
 * the first `{` and the next `}`, so a raw id containing `}` (or nothing between braces) would
 * split a conversation across slots or merge two conversations' tags.
 */

export const KEY_PREFIX = 'sb:';

export interface ConversationKeys {
  /** Hash: v = head version, p = position of the last event, n = cached messages, c = cap. */
  meta: string;
  /** List of JSON-encoded messages, oldest first. */
  list: string;
  /** String: the lowest position a fill must reach to be accepted. */
  fence: string;
  /** String with a short TTL: held by the one reader refilling a missing entry. */
  lease: string;
}

/** The hash tag of a conversation (without braces): base64url of its UTF-8 id. */
export function conversationTag(conversationId: string): string {
  return Buffer.from(conversationId, 'utf8').toString('base64url');
}

export function conversationKeys(conversationId: string): ConversationKeys {
  const base = `${KEY_PREFIX}{${conversationTag(conversationId)}}`;
  return { meta: `${base}:m`, list: `${base}:l`, fence: `${base}:f`, lease: `${base}:r` };
}

/** Key order every cache script expects in KEYS. */
export function scriptKeys(keys: ConversationKeys): [string, string, string, string] {
  return [keys.meta, keys.list, keys.fence, keys.lease];
}

/** Channel of the cross-instance L1 invalidation bus. */
export const INVALIDATION_CHANNEL = `${KEY_PREFIX}inv`;

/** Sorted set of live instances (score = last publish, ms). */
export const INSTANCES_KEY = `${KEY_PREFIX}instances`;

/** Where an instance publishes its stats. */
export function instanceStatsKey(instanceId: string): string {
  return `${KEY_PREFIX}metrics:{${conversationTag(instanceId)}}`;
}
