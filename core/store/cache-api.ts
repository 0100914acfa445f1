/** `store.cache`: inspection and repair of the Redis tier, for the console and operators. */
import type { EventLog, TailSnapshot } from '../backends/log.js';
import type { ConversationCache } from '../cache/conversation-cache.js';
import type { TieredCache } from '../cache/tiered-cache.js';
import { ConversationDeletedError, ConversationNotFoundError, ReadOnlyError, ValidationError } from '../errors/errors.js';
import { canonicalJson } from '../events/content-hash.js';
import { describeError, type Logger } from '../logging/logger.js';
import type { Limits } from '../events/limits.js';
import type { Message } from '../events/types.js';
import { validateId, validateInteger } from '../events/validate.js';
import type { InstanceStats, RedisServerInfo } from '../metrics/types.js';
import type { CacheApi, CacheEntryReport, CacheVerdict, WarmOptions, WarmReport } from './types.js';

const MAX_WARM = 500;

function sinceOf(value: string | Date): number {
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) throw new ValidationError('since', 'must be an ISO 8601 time or a Date');
  return time;
}

export interface CacheApiDeps {
  logger: Logger;
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
  /** Newest conversations first, one at a time: a warm-up must not flood the log. */
  const warmMany = async (options: WarmOptions): Promise<WarmReport> => {
    const limit = options.limit === undefined ? 50 : validateInteger('limit', options.limit, 1, MAX_WARM);
    const userId = options.userId === undefined ? undefined : validateId('userId', options.userId, deps.limits);
    const since = options.since === undefined ? null : sinceOf(options.since);
    const report: WarmReport = { warmed: 0, cached: 0, skipped: 0, failed: 0 };
    if (deps.redis === null) return report;
    let cursor: string | undefined;
    let seen = 0;
    while (seen < limit) {
      const page = await deps.log.listConversations({
        limit: Math.min(limit - seen, 100),
        ...(userId !== undefined ? { userId } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      });
      for (const info of page.items) {
        if (since !== null && (info.lastMessageAt === null || Date.parse(info.lastMessageAt) < since)) return report;
        seen++;
        try {
          if ((await deps.redis.head(info.conversationId)) !== null) {
            report.cached++;
            continue;
          }
          const snapshot = await deps.tiered.warm(info.conversationId, () => deps.log.tail(info.conversationId, deps.maxMessages));
          if (snapshot === 'held-elsewhere' || snapshot === null || snapshot.status === 'deleted') report.skipped++;
          else report.warmed++;
        } catch (error) {
          report.failed++;
          deps.logger.warn('cache warm-up failed for a conversation', { conversationId: info.conversationId, ...describeError(error) });
        }
      }
      if (page.nextCursor === undefined) break;
      cursor = page.nextCursor;
    }
    return report;
  };

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

    warm: (async (target: string | WarmOptions): Promise<void | WarmReport> => {
      if (deps.readOnly) throw new ReadOnlyError('cache.warm');
      if (typeof target === 'object' && target !== null) return warmMany(target);
      const id = validateId('conversationId', target, deps.limits);
      const snapshot = await deps.tiered.warm(id, () => deps.log.tail(id, deps.maxMessages));
      if (snapshot === null) throw new ConversationNotFoundError(id);
      if (snapshot !== 'held-elsewhere' && snapshot.status === 'deleted') throw new ConversationDeletedError(id);
    }) as CacheApi['warm'],

    instances: () => deps.instances(),

    async serverInfo(): Promise<RedisServerInfo | null> {
      return deps.serverInfo === null ? null : deps.serverInfo();
    },
  };
}
