/** `store.cache`: inspection and repair of the Redis tier, for the console and operators. */
import type { EventLog, TailSnapshot } from '../backends/log.js';
import type { ConversationCache } from '../cache/conversation-cache.js';
import type { TieredCache } from '../cache/tiered-cache.js';
import { ConversationDeletedError, ConversationNotFoundError, ReadOnlyError, ValidationError } from '../errors/errors.js';
import { canonicalJson } from '../events/content-hash.js';
import { describeError, type Logger } from '../logging/logger.js';
import type { Limits } from '../events/limits.js';
import type { JsonValue, Message } from '../events/types.js';
import { validateId, validateInteger } from '../events/validate.js';
import type { InstanceStats, RedisServerInfo } from '../metrics/types.js';
import type { CacheApi, CacheComparedField, CacheDifference, CacheEntryReport, CacheVerdict, WarmOptions, WarmReport } from './types.js';

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

/** Fields compared between a cached message and the log's; `parts` only where either side has it. */
const COMPARED: readonly CacheComparedField[] = ['id', 'role', 'content', 'parts', 'metadata', 'redacted'];

function fieldOf(message: Message, field: CacheComparedField): string | undefined {
  // Read through an index so a field one side carries and the type does not (parts) still compares.
  const value = (message as unknown as Record<string, JsonValue | undefined>)[field];
  return value === undefined ? undefined : canonicalJson(value);
}

function differingFields(cached: Message, logged: Message): CacheComparedField[] {
  return COMPARED.filter((field) => fieldOf(cached, field) !== fieldOf(logged, field));
}

export interface CacheComparison {
  verdict: CacheVerdict;
  differences: CacheDifference[];
}

/**
 * Compares what Redis holds with the log's tail. `stale` means the entry's head is behind the
 * log's; with the heads equal, each message is compared (matched by version) and any difference
 * makes the entry `diverged`, listed with the fields that differ.
 */
export function verdictOf(report: Pick<CacheEntryReport, 'entry' | 'torn'>, log: TailSnapshot, maxMessages: number): CacheComparison {
  if (report.torn) return { verdict: 'torn', differences: [] };
  const entry = report.entry;
  if (entry === null) return { verdict: 'missing', differences: [] };
  if (entry.version < log.version || entry.position < log.position) return { verdict: 'stale', differences: [] };
  const expected = log.messages.slice(-maxMessages);
  const logged = new Map(expected.map((message) => [message.version, message]));
  const cachedVersions = new Set(entry.messages.map((message) => message.version));
  const differences: CacheDifference[] = [];
  for (const cached of entry.messages) {
    const other = logged.get(cached.version);
    const fields = other === undefined ? COMPARED.filter((field) => fieldOf(cached, field) !== undefined) : differingFields(cached, other);
    if (fields.length > 0) differences.push({ version: cached.version, messageId: cached.id, fields, ...(other === undefined ? { missingFrom: 'log' as const } : {}) });
  }
  for (const message of expected) {
    if (cachedVersions.has(message.version)) continue;
    const fields = COMPARED.filter((field) => fieldOf(message, field) !== undefined);
    differences.push({ version: message.version, messageId: message.id, fields, missingFrom: 'cache' });
  }
  differences.sort((a, b) => a.version - b.version);
  const headsAgree = entry.version === log.version && entry.position === log.position;
  return { verdict: headsAgree && differences.length === 0 ? 'consistent' : 'diverged', differences };
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
          // A fill of ours still on its way counts as cached once it lands.
          await deps.tiered.settled(info.conversationId);
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
      if (deps.redis === null) return { conversationId: id, verdict: 'disabled', differences: [], entry: null, torn: false, fence: null, log };
      const inspection = await deps.redis.inspect(id);
      return { conversationId: id, ...inspection, ...verdictOf(inspection, snapshot, deps.maxMessages), log };
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
