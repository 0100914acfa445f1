/** `store.cache`: inspection and repair of the Redis tier, for the console and operators. */
import type { EventLog, TailSnapshot } from '../backends/log.js';
import type { ConversationCache } from '../cache/conversation-cache.js';
import type { TieredCache } from '../cache/tiered-cache.js';
import { ConversationDeletedError, ConversationNotFoundError, ReadOnlyError } from '../errors/errors.js';
import { canonicalJson } from '../events/content-hash.js';
import type { Limits } from '../events/limits.js';
import type { Message } from '../events/types.js';
import { validateId } from '../events/validate.js';
import type { InstanceStats, RedisServerInfo } from '../metrics/types.js';
import type { CacheApi, CacheEntryReport, CacheVerdict } from './types.js';

export interface CacheApiDeps {
  log: EventLog;
  tiered: TieredCache;
  redis: ConversationCache | null;
  maxMessages: number;
  limits: Limits;
  readOnly: boolean;
  instances: () => Promise<InstanceStats[]>;
  serverInfo: (() => Promise<RedisServerInfo>) | null;
}

function sameMessage(a: Message, b: Message): boolean {
  return (
    a.id === b.id &&
    a.version === b.version &&
    a.role === b.role &&
    a.content === b.content &&
    a.redacted === b.redacted &&
    sameParts(a.parts, b.parts)
  );
}

/** Parts compared as JSON values: PostgreSQL's jsonb does not keep the key order they were given in. */
function sameParts(a: Message['parts'], b: Message['parts']): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

/** Compares what Redis holds with the log's tail. */
export function verdictOf(report: Pick<CacheEntryReport, 'entry' | 'torn'>, log: TailSnapshot, maxMessages: number): CacheVerdict {
  if (report.torn) return 'torn';
  const entry = report.entry;
  if (entry === null) return 'missing';
  const expected = log.messages.slice(-maxMessages);
  const consistent =
    entry.version === log.version &&
    entry.position === log.position &&
    entry.messages.length === expected.length &&
    entry.messages.every((message, index) => {
      const other = expected[index];
      return other !== undefined && sameMessage(message, other);
    });
  return consistent ? 'consistent' : 'stale';
}

export function createCacheApi(deps: CacheApiDeps): CacheApi {
  const snapshotOf = async (conversationId: string): Promise<TailSnapshot> => {
    const snapshot = await deps.log.tail(conversationId, deps.maxMessages);
    if (snapshot === null) throw new ConversationNotFoundError(conversationId);
    return snapshot;
  };
  return {
    async inspect(conversationId: string): Promise<CacheEntryReport> {
      const id = validateId('conversationId', conversationId, deps.limits);
      await deps.tiered.settled(id);
      const snapshot = await snapshotOf(id);
      const log = { version: snapshot.version, position: snapshot.position, messages: snapshot.messages };
      if (deps.redis === null) return { conversationId: id, verdict: 'disabled', entry: null, torn: false, fence: null, log };
      const inspection = await deps.redis.inspect(id);
      return { conversationId: id, ...inspection, verdict: verdictOf(inspection, snapshot, deps.maxMessages), log };
    },

    async evict(conversationId: string): Promise<void> {
      if (deps.readOnly) throw new ReadOnlyError('cache.evict');
      const id = validateId('conversationId', conversationId, deps.limits);
      await deps.tiered.invalidate(id);
    },

    async warm(conversationId: string): Promise<void> {
      if (deps.readOnly) throw new ReadOnlyError('cache.warm');
      const id = validateId('conversationId', conversationId, deps.limits);
      const snapshot = await snapshotOf(id);
      if (snapshot.status === 'deleted') throw new ConversationDeletedError(id);
      await deps.tiered.fill(id, snapshot);
    },

    instances: () => deps.instances(),

    async serverInfo(): Promise<RedisServerInfo | null> {
      return deps.serverInfo === null ? null : deps.serverInfo();
    },
  };
}
