/**
 * The store: validates input at the boundary, writes to the log of record, keeps the cache tiers
 * versioned behind it, and answers reads from the fastest tier that is known to be right.
 */
import type { ControlEvent, EventLog, LogAppendResult } from '../backends/log.js';
import type { TieredCache } from '../cache/tiered-cache.js';
import type { StoreFallback } from '../fallback/store-fallback.js';
import { ConversationDeletedError, ConversationNotFoundError, ReadOnlyError, ValidationError } from '../errors/errors.js';
import { eventHash } from '../events/content-hash.js';
import { uuidv7 } from '../events/uuid-v7.js';
import { emptyState, foldEvents } from '../events/fold.js';
import type { Limits } from '../events/limits.js';
import type {
  AppendOptions,
  AppendResult,
  ConversationInfo,
  ConversationState,
  DeleteOptions,
  EventMetadata,
  IdempotentWriteOptions,
  JsonObject,
  ListOptions,
  ListResult,
  Message,
  MessageInput,
  MetadataPatch,
  ReadOptions,
  ReadResult,
  RedactOptions,
  RevisionInput,
  TailMessage,
  WriteOptions,
  WriteResult,
} from '../events/types.js';
import {
  validateBody,
  validateEventMetadata,
  validateExpectedVersion,
  validateId,
  validateInteger,
  validateMessages,
  validateMetadata,
  validateText,
} from '../events/validate.js';
import type { Logger } from '../logging/logger.js';
import type { StatsRecorder } from '../metrics/stats-recorder.js';
import type { StoreStats } from '../metrics/types.js';
import { toNewMessage } from './new-message.js';
import { startSubscription } from './subscription.js';
import type { CacheApi, ConversationStore, EventsHandler, HealthReport, StoreMode, SubscribeFrom, TailSource, Unsubscribe } from './types.js';

const MAX_TAIL = 10_000;
const MAX_READ = 10_000;
const DEFAULT_READ_LIMIT = 1000;
const MAX_LIST = 500;
const MAX_REASON = 1000;

export interface StoreParts {
  mode: StoreMode;
  readOnly: boolean;
  log: EventLog;
  cache: TieredCache;
  cacheApi: (store: ConversationStore) => CacheApi;
  stats: StatsRecorder;
  limits: Limits;
  maxCachedMessages: number;
  logger: Logger;
  backendStates: () => StoreStats['backends'];
  health: () => Promise<HealthReport>;
  /** Releases what the store owns (connections, timers), after the log and cache stop being used. */
  shutdown: () => Promise<void>;
  /** The offline outbox ('hybrid+fallback' mode), else null. */
  fallback?: StoreFallback | null;
}

function eventMetadata(options: WriteOptions | undefined, limits: Limits): EventMetadata {
  const metadata = validateEventMetadata('metadata', options?.metadata, limits);
  const userId = options?.userId === undefined ? undefined : validateId('userId', options.userId, limits);
  return userId === undefined ? { ...metadata } : { ...metadata, userId };
}

export function createConversationStore(parts: StoreParts): ConversationStore {
  const { log, cache, limits, stats } = parts;
  const fallback = parts.fallback ?? null;
  const subscriptions = new Set<Unsubscribe>();
  let writeGate: Promise<unknown> = Promise.resolve();
  let closed = false;

  const open = (): void => {
    if (closed) throw new ValidationError('store', 'is closed');
  };
  const writable = (operation: string): void => {
    open();
    if (parts.readOnly) throw new ReadOnlyError(operation);
  };

  const conversationIdOf = (value: unknown): string => validateId('conversationId', value, limits);

  /**
   * A revision, retraction or metadata patch: one event, idempotent by the caller's event id when
   * one is given (`payload` is what the event stores, and what the retry is compared by). Cache
   * tiers are invalidated as after a redaction, a retry included (its first attempt may have
   * committed without getting that far).
   */
  async function idempotentWrite(
    conversationId: string,
    event: ControlEvent,
    payload: JsonObject,
    options: IdempotentWriteOptions | undefined,
  ): Promise<WriteResult> {
    const eventId = options?.eventId === undefined ? undefined : validateId('eventId', options.eventId, limits);
    const metadata = eventMetadata(options, limits);
    const result = await log.control({
      conversationId,
      eventId: eventId ?? uuidv7(),
      event,
      metadata,
      ...(eventId !== undefined ? { idempotencyHash: eventHash(event.type, payload) } : {}),
    });
    await cache.invalidate(conversationId, result.position);
    return { conversationId, version: result.version, position: result.position };
  }

  async function tailWithSource(conversationId: string, n = 20): Promise<{ messages: TailMessage[]; source: TailSource; ms: number }> {
    open();
    const id = conversationIdOf(conversationId);
    const count = validateInteger('n', n, 0, MAX_TAIL);
    const started = performance.now();
    if (fallback === null) return tierTail(id, count, started);
    const answer = await fallback.tail(id, count, () => tierTail(id, count, started));
    return { messages: answer.messages, source: answer.source, ms: performance.now() - started };
  }

  async function tierTail(id: string, count: number, started: number): Promise<{ messages: Message[]; source: TailSource; ms: number }> {
    // Read-only stores skip the tiers: a Redis read slides the TTL and a miss fills, both writes.
    if (count > parts.maxCachedMessages || !cache.enabled || parts.readOnly) {
      const snapshot = await log.tail(id, count);
      stats.record('log', snapshot ? 'hit' : 'miss', performance.now() - started);
      if (snapshot?.status === 'deleted') throw new ConversationDeletedError(id);
      return { messages: snapshot?.messages ?? [], source: 'log', ms: performance.now() - started };
    }
    const result = await cache.tail(id, Math.max(count, 1), () => log.tail(id, parts.maxCachedMessages));
    if (result.snapshot?.status === 'deleted') throw new ConversationDeletedError(id);
    const messages = count === 0 ? [] : result.messages;
    return { messages, source: result.source, ms: performance.now() - started };
  }

  const store: ConversationStore = {
    mode: parts.mode,

    async append(conversationId: string, message: MessageInput | MessageInput[], options?: AppendOptions): Promise<AppendResult> {
      writable('append');
      const id = conversationIdOf(conversationId);
      const valid = validateMessages(message, limits);
      const expectedVersion = validateExpectedVersion(options?.expectedVersion);
      const metadata = eventMetadata(options, limits);
      const messages = valid.map(toNewMessage);
      await writeGate;
      const request = { conversationId: id, messages, expectedVersion, userId: metadata.userId ?? null, startedEventId: uuidv7(), metadata };
      if (fallback !== null && (await fallback.route(id, expectedVersion)) === 'outbox') {
        const queued = await fallback.enqueue(request);
        stats.appended();
        return queued;
      }
      // Redis known down: the commit itself records that the cached entry is now behind.
      const recorded = cache.writeThroughBlocked(id);
      let result: LogAppendResult;
      try {
        result = await log.append(recorded ? { ...request, recordCacheInvalidation: true } : request);
      } catch (error) {
        if (fallback === null || !fallback.takesFailed(error, expectedVersion)) throw error;
        const queued = await fallback.enqueue(request, error);
        stats.appended();
        return queued;
      }
      stats.appended();
      await cache.afterAppend(id, result, recorded);
      return { conversationId: id, version: result.version, position: result.position, outcome: result.outcome, messages: result.messages };
    },

    async tail(conversationId: string, n?: number): Promise<TailMessage[]> {
      return (await tailWithSource(conversationId, n)).messages;
    },

    tailWithSource,

    async read(conversationId: string, options: ReadOptions = {}): Promise<ReadResult> {
      open();
      const id = conversationIdOf(conversationId);
      const direction = options.direction ?? 'forward';
      if (direction !== 'forward' && direction !== 'backward') throw new ValidationError('direction', "must be 'forward' or 'backward'");
      const limit = options.limit === undefined ? DEFAULT_READ_LIMIT : validateInteger('limit', options.limit, 1, MAX_READ);
      const max = Number.MAX_SAFE_INTEGER;
      const fromVersion = options.fromVersion === undefined ? (direction === 'forward' ? 1 : max) : validateInteger('fromVersion', options.fromVersion, 0, max);
      const toVersion = options.toVersion === undefined ? (direction === 'forward' ? max : 1) : validateInteger('toVersion', options.toVersion, 0, max);
      const result = await log.read(id, { fromVersion, toVersion, direction, limit });
      if (result === null) throw new ConversationNotFoundError(id);
      return result;
    },

    async getConversation(conversationId: string): Promise<ConversationInfo | null> {
      open();
      return log.getConversation(conversationIdOf(conversationId));
    },

    async listConversations(options: ListOptions = {}): Promise<ListResult> {
      open();
      const limit = options.limit === undefined ? 50 : validateInteger('limit', options.limit, 1, MAX_LIST);
      const userId = options.userId === undefined ? undefined : validateId('userId', options.userId, limits);
      const search = options.search === undefined ? undefined : validateText('search', options.search, 500, { allowEmpty: true });
      if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor.length > 2000)) {
        throw new ValidationError('cursor', 'is not a cursor this store returned');
      }
      const metadata = options.metadata === undefined ? undefined : validateMetadata('metadata', options.metadata, limits).value;
      if (metadata !== undefined && Object.values(metadata).includes(null)) {
        throw new ValidationError('metadata', 'filter values must not be null (setting a key to null removes it)');
      }
      return log.listConversations({
        limit,
        ...(userId !== undefined ? { userId } : {}),
        ...(search !== undefined && search.trim() !== '' ? { search } : {}),
        ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
        ...(metadata !== undefined && Object.keys(metadata).length > 0 ? { metadata } : {}),
        ...(options.includeDeleted === true ? { includeDeleted: true } : {}),
      });
    },

    async stateAt(conversationId: string, version: number): Promise<ConversationState> {
      open();
      const id = conversationIdOf(conversationId);
      const target = validateInteger('version', version, 0, Number.MAX_SAFE_INTEGER);
      let state = emptyState(id);
      let from = 1;
      for (;;) {
        const page = await log.read(id, { fromVersion: from, toVersion: Math.max(target, 1), direction: 'forward', limit: MAX_READ });
        if (page === null) throw new ConversationNotFoundError(id);
        if (target > page.version) throw new ValidationError('version', `is past the head (${page.version})`);
        if (target === 0) return state;
        state = foldEvents(state, page.events);
        const last = page.events.at(-1);
        if (last === undefined || last.version >= target) return state;
        from = last.version + 1;
      }
    },

    async rename(conversationId: string, title: string, options?: WriteOptions): Promise<WriteResult> {
      writable('rename');
      const id = conversationIdOf(conversationId);
      const valid = validateText('title', title, limits.maxTitleLength);
      const result = await log.control({ conversationId: id, eventId: uuidv7(), event: { type: 'conversation.renamed', title: valid }, metadata: eventMetadata(options, limits) });
      await cache.invalidate(id, result.position);
      return { conversationId: id, version: result.version, position: result.position };
    },

    async redact(conversationId: string, messageId: string, options: RedactOptions): Promise<WriteResult> {
      writable('redact');
      const id = conversationIdOf(conversationId);
      const target = validateId('messageId', messageId, limits);
      if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
      if (options.mode !== 'mask' && options.mode !== 'purge') throw new ValidationError('mode', "must be 'mask' or 'purge'");
      const reason = validateText('reason', options.reason, MAX_REASON);
      const by = options.by === undefined ? null : validateId('by', options.by, limits);
      const result = await log.control({
        conversationId: id,
        eventId: uuidv7(),
        event: { type: 'message.redacted', messageId: target, mode: options.mode, reason, by },
        metadata: eventMetadata(options, limits),
      });
      // Even a no-op redaction drops the entry: the text must be gone from every tier.
      await cache.invalidate(id, result.position);
      return { conversationId: id, version: result.version, position: result.position };
    },

    async revise(conversationId: string, messageId: string, revision: RevisionInput, options?: IdempotentWriteOptions): Promise<WriteResult> {
      writable('revise');
      const id = conversationIdOf(conversationId);
      const target = validateId('messageId', messageId, limits);
      if (revision === null || typeof revision !== 'object' || Array.isArray(revision)) throw new ValidationError('revision', 'must be an object');
      const body = validateBody(revision.content, revision.parts, limits);
      const metadata = revision.metadata === undefined ? undefined : validateMetadata('metadata', revision.metadata, limits).value;
      const payload = {
        messageId: target,
        content: body.content,
        ...(body.parts !== undefined ? { parts: body.parts } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      };
      return idempotentWrite(id, { type: 'message.revised', ...payload }, payload, options);
    },

    async retract(conversationId: string, messageId: string, options?: IdempotentWriteOptions): Promise<WriteResult> {
      writable('retract');
      const id = conversationIdOf(conversationId);
      const target = validateId('messageId', messageId, limits);
      return idempotentWrite(id, { type: 'message.retracted', messageId: target }, { messageId: target }, options);
    },

    async setMetadata(conversationId: string, patch: MetadataPatch, options?: IdempotentWriteOptions): Promise<WriteResult> {
      writable('setMetadata');
      const id = conversationIdOf(conversationId);
      const { value } = validateMetadata('metadata', patch, limits);
      const entries = Object.entries(value);
      if (entries.length === 0) throw new ValidationError('metadata', 'must set or unset at least one key');
      const set: JsonObject = Object.fromEntries(entries.filter(([, item]) => item !== null));
      const unset = entries.filter(([, item]) => item === null).map(([key]) => key).sort();
      const event: ControlEvent = { type: 'conversation.metadata-set', set, unset, maxBytes: limits.maxMetadataBytes };
      return idempotentWrite(id, event, { set, unset }, options);
    },

    async deleteConversation(conversationId: string, options: DeleteOptions = {}): Promise<void> {
      writable('deleteConversation');
      const id = conversationIdOf(conversationId);
      if (options.hard === true) {
        const deleted = await log.hardDelete(id);
        if (deleted === null) throw new ConversationNotFoundError(id);
        await cache.invalidate(id, deleted.position);
        return;
      }
      const result = await log.control({ conversationId: id, eventId: uuidv7(), event: { type: 'conversation.deleted' }, metadata: eventMetadata(options, limits) });
      await cache.invalidate(id, result.position);
    },

    subscribe(options: { from?: SubscribeFrom }, onEvents: EventsHandler): Unsubscribe {
      open();
      const from = options?.from ?? 'end';
      if (typeof from !== 'string' || from.length === 0) throw new ValidationError('from', "must be 'start', 'end' or a checkpoint");
      if (typeof onEvents !== 'function') throw new ValidationError('onEvents', 'must be a function');
      const stop = startSubscription(
        {
          log,
          logger: parts.logger,
          holdWrites: (until) => {
            // Appends wait until 'end' is fixed, so none slips in unseen; a failure doesn't block them.
            const settled = until.then(
              () => undefined,
              () => undefined,
            );
            writeGate = Promise.all([writeGate, settled]);
          },
        },
        from,
        onEvents,
      );
      const unsubscribe = (): void => {
        subscriptions.delete(unsubscribe);
        stop();
      };
      subscriptions.add(unsubscribe);
      return unsubscribe;
    },

    stats(): StoreStats {
      const snapshot = stats.snapshot(parts.backendStates());
      return fallback === null ? snapshot : { ...snapshot, fallback: fallback.stats() };
    },

    health(): Promise<HealthReport> {
      return parts.health();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const unsubscribe of [...subscriptions]) unsubscribe();
      // The drainer writes through the cache: it stops first.
      await fallback?.stop();
      await cache.drain();
      cache.close();
      await parts.shutdown();
    },

    get cache(): CacheApi {
      return cacheApi;
    },

    fallback: fallback?.api ?? null,
  };
  const cacheApi = parts.cacheApi(store);
  return store;
}
