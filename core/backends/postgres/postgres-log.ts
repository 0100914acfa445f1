/**
 * The PostgreSQL event log. Writes go through the plpgsql functions of migrations/postgres (one
 * round trip each, the conversation row locked first); reads are single statements, so each sees
 * one snapshot. Driver errors are mapped once, here (see pg-errors.ts).
 *
 * Subscription order: `readAll` returns events whose transaction id is below the snapshot's xmin,
 * ordered by (transaction id, position). A transaction still running has an id at or above xmin,
 * so nothing it writes can land behind a checkpoint already handed out. The price: a long-running
 * transaction anywhere in the cluster holds delivery back until it ends. `endCheckpoint()` also
 * records the snapshot it was taken in, so events that had committed by then are never delivered
 * after it, even those sorting above the checkpoint because an older transaction was still open.
 */
import type pg from 'pg';
import type {
  ControlRequest,
  ControlResult,
  EventLog,
  GlobalBatch,
  TailSnapshot,
} from '../log.js';
import { ValidationError } from '../../errors/errors.js';
import { createPostgresAppend } from './append-path.js';
import type { ConversationInfo, ListOptions, ListResult, Message, ReadResult } from '../../events/types.js';
import { createPostgresCacheInvalidations } from './cache-invalidations.js';
import { destroyClient, settledWithin } from './client-shutdown.js';
import { decodeCheckpoint, encodeCheckpoint, encodeListCursor, keepSnapshot, START_CHECKPOINT } from './cursors.js';
import { migrate } from './migrate.js';
import { mapPgError, type ErrorContext } from './pg-errors.js';
import {
  APPEND_BATCH_SQL,
  APPEND_RECORDING_INVALIDATION_SQL,
  APPEND_SQL,
  CONTROL_SQL,
  END_CHECKPOINT_SQL,
  GET_CONVERSATION_SQL,
  HARD_DELETE_SQL,
  listSql,
  READ_ALL_AFTER_SNAPSHOT_SQL,
  READ_ALL_SQL,
  readSql,
  TAIL_SQL,
} from './queries.js';
import {
  toConversationInfo,
  toMessage,
  toPosition,
  toStoredEvent,
  type ConversationRow,
  type EventRow,
  type MessageData,
} from './rows.js';
import { createSearchIndexer } from './search-indexer.js';
import { createTransactionRunner } from './transaction.js';
import { createWakeListener, WAKE_CHANNEL } from './wake-listener.js';
import { createWakeNotifier } from './wake-notifier.js';

// Loaded with the module rather than by a static import, which a bundler would hoist to the top of
// an application's bundle and so load in every mode: pg is an optional peer dependency.
const { default: driver } = await import('pg');

export interface PostgresLogOptions {
  url?: string;
  /**
   * An application's own pool: used as is and not ended by `close()`. Its connect timeout and
   * statement_timeout are the application's; the client-side read timeout still applies.
   */
  pool?: pg.Pool;
  /** Default 10. */
  poolSize?: number;
  /** Default 3000. */
  connectTimeoutMs?: number;
  /** Server-side statement_timeout and client-side read timeout, default 5000. */
  queryTimeoutMs?: number;
  /** Errors no caller awaits: the LISTEN connection dropping, a wake listener throwing. */
  onError?: (error: unknown) => void;
  /**
   * Whether this instance fills the search index (after `migrate()`), default true. Searches
   * find every committed message either way; with no instance indexing they get slower.
   */
  searchIndexer?: boolean;
}

const MAX_VERSION = 2_147_483_647;
/** The client gives the server's statement_timeout this long to report first. */
const CLIENT_TIMEOUT_MARGIN_MS = 250;

interface TailRow {
  status: 'active' | 'deleted';
  head: number;
  last_position: string;
  event_id: string | null;
  version: number | null;
  data: MessageData | null;
  recorded_at: string | null;
}

export function createPostgresLog(options: PostgresLogOptions): EventLog {
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 5_000;
  const onError = options.onError ?? (() => undefined);
  if (options.pool === undefined && (options.url === undefined || options.url === '')) {
    throw new ValidationError('postgres.url', 'a connection URL or a pool is required');
  }

  const clientTimeoutMs = queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS;
  const ownPool = options.pool === undefined;
  const connection: pg.ClientConfig = {
    connectionString: options.url,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    application_name: 'scrollback',
  };
  const pool =
    options.pool ??
    new driver.Pool({
      ...connection,
      max: options.poolSize ?? 10,
      statement_timeout: queryTimeoutMs,
      query_timeout: clientTimeoutMs,
    });
  const clients = new Set<pg.PoolClient>();
  let closing = false;
  if (ownPool) {
    // An idle client whose server went away: the pool drops it and the next query reports the
    // outage; without a handler the event would crash the process.
    pool.on('error', (error) => {
      // After close(), the server ending our last sockets is no news.
      if (!closing) onError(error);
    });
    pool.on('connect', (client) => clients.add(client));
    pool.on('remove', (client) => clients.delete(client));
  }
  // pg-pool keeps the password non-enumerable: a spread alone would drop it.
  const listenConfig: pg.ClientConfig = ownPool ? connection : { ...pool.options, password: pool.options.password };
  const wake = createWakeListener(listenConfig, connectTimeoutMs, onError);
  const notifier = createWakeNotifier(() => query(`SELECT pg_notify('${WAKE_CHANNEL}', '')`, []), onError);
  const cacheInvalidations = createPostgresCacheInvalidations(query, listenConfig, connectTimeoutMs, onError);
  const searchIndexer =
    options.searchIndexer === false ? null : createSearchIndexer({ transaction: createTransactionRunner(pool, clientTimeoutMs), onError });
  // After a commit: this process's readers now, other processes' through NOTIFY.
  const committed = (): void => {
    wake.emitLocal();
    notifier.schedule();
    searchIndexer?.poke();
  };

  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[], context: ErrorContext = {}): Promise<R[]> {
    try {
      // The read timeout is set per query too, so that an application's pool is bounded as well.
      // The hot statements are prepared once per connection instead of parsed on every call.
      const name = PREPARED.get(text);
      const config: pg.QueryConfig & { query_timeout: number } = { text, values, query_timeout: clientTimeoutMs, ...(name ? { name } : {}) };
      return (await pool.query<R>(config)).rows;
    } catch (error) {
      throw mapPgError(error, context);
    }
  }

  const append = createPostgresAppend({ query, committed, poolSize: options.poolSize ?? 10 });

  return {
    backend: 'postgres',
    cacheInvalidations,

    async migrate() {
      try {
        await migrate(pool);
      } catch (error) {
        throw mapPgError(error);
      }
      searchIndexer?.start();
    },

    append,

    async control(request: ControlRequest): Promise<ControlResult> {
      const { conversationId, event } = request;
      let data: Record<string, unknown>;
      switch (event.type) {
        case 'conversation.renamed':
          data = { title: event.title };
          break;
        case 'message.redacted':
          data = { messageId: event.messageId, mode: event.mode, reason: event.reason, by: event.by };
          break;
        case 'conversation.deleted':
          data = { hard: false };
          break;
        case 'message.revised':
          data = { messageId: event.messageId, content: event.content };
          if (event.parts !== undefined) data.parts = event.parts;
          if (event.metadata !== undefined) data.metadata = event.metadata;
          break;
        case 'message.retracted':
          data = { messageId: event.messageId };
          break;
        case 'conversation.metadata-set':
          data = { set: event.set, unset: event.unset };
          break;
      }
      const maxMetadataBytes = event.type === 'conversation.metadata-set' ? event.maxBytes : null;
      const [row] = await query<{ o_version: number; o_position: string; o_changed: boolean }>(
        CONTROL_SQL,
        [conversationId, request.eventId, event.type, JSON.stringify(data), JSON.stringify(request.metadata), request.idempotencyHash ?? null, maxMetadataBytes],
        { conversationId },
      );
      if (row === undefined) throw new Error('scrollback_control returned no row');
      if (row.o_changed) committed();
      return { conversationId, version: row.o_version, position: toPosition(row.o_position), changed: row.o_changed };
    },

    async hardDelete(conversationId: string) {
      const [row] = await query<{ position: string | null }>(HARD_DELETE_SQL, [conversationId], { conversationId });
      if (row?.position === null || row?.position === undefined) return null;
      committed();
      return { position: toPosition(row.position) };
    },

    async read(conversationId, { fromVersion, toVersion, direction, limit }): Promise<ReadResult | null> {
      const forward = direction === 'forward';
      const [low, high] = forward ? [fromVersion, toVersion] : [toVersion, fromVersion];
      const rows = await query<EventRow & { head: number; position: string | null }>(
        readSql(direction),
        [conversationId, clampVersion(low), clampVersion(high), limit],
        { conversationId },
      );
      const first = rows[0];
      if (first === undefined) return null;
      const events = rows.filter((r) => r.position !== null).map((r) => toStoredEvent(r, conversationId));
      return { version: first.head, events: inVersionOrder(events, forward) };
    },

    async tail(conversationId, n): Promise<TailSnapshot | null> {
      const rows = await query<TailRow>(
        TAIL_SQL,
        [conversationId, n],
        { conversationId },
      );
      const first = rows[0];
      if (first === undefined) return null;
      const messages: Message[] = [];
      for (const row of rows) {
        if (row.event_id === null || row.version === null || row.data === null || row.recorded_at === null) continue;
        messages.push(toMessage(conversationId, row.event_id, row.version, row.data, row.recorded_at));
      }
      inVersionOrder(messages, true);
      return { status: first.status, version: first.head, position: toPosition(first.last_position), messages };
    },

    async getConversation(conversationId): Promise<ConversationInfo | null> {
      const [row] = await query<ConversationRow>(GET_CONVERSATION_SQL, [conversationId], { conversationId });
      return row === undefined ? null : toConversationInfo(row);
    },

    async listConversations(options: ListOptions & { limit: number }): Promise<ListResult> {
      const sql = listSql(options);
      if (sql === null) return { items: [] };
      const rows = await query<ConversationRow>(sql.text, sql.values);
      const items = rows.slice(0, options.limit).map(toConversationInfo);
      const last = items.at(-1);
      if (rows.length <= options.limit || last === undefined || last.lastMessageAt === null) return { items };
      return { items, nextCursor: encodeListCursor({ lastMessageAt: last.lastMessageAt, id: last.conversationId }) };
    },

    async readAll(checkpoint, limit): Promise<GlobalBatch> {
      const from = decodeCheckpoint(checkpoint);
      const rows = await query<EventRow & { tx: string }>(
        from.snapshot === undefined ? READ_ALL_SQL : READ_ALL_AFTER_SNAPSHOT_SQL,
        from.snapshot === undefined ? [from.tx, from.position, limit] : [from.tx, from.position, limit, from.snapshot],
      );
      const last = rows.at(-1);
      const next = last === undefined ? from : { tx: last.tx, position: last.position };
      const snapshot = keepSnapshot(from.snapshot, next.tx);
      return {
        events: rows.map((r) => toStoredEvent(r)),
        checkpoint: encodeCheckpoint({ tx: next.tx, position: next.position, ...(snapshot !== undefined ? { snapshot } : {}) }),
      };
    },

    async endCheckpoint() {
      const [row] = await query<{ snapshot: string; tx: string | null; position: string | null }>(END_CHECKPOINT_SQL, []);
      if (row === undefined) throw new Error('the end checkpoint query returned no row');
      const point = row.tx === null || row.position === null ? START_CHECKPOINT : { tx: row.tx, position: row.position };
      const snapshot = keepSnapshot(row.snapshot, point.tx);
      return encodeCheckpoint({ ...point, ...(snapshot !== undefined ? { snapshot } : {}) });
    },

    onWake(listener) {
      return wake.add(listener);
    },

    async ping() {
      await query('SELECT 1', []);
    },

    async close() {
      closing = true;
      notifier.close();
      await searchIndexer?.close();
      await Promise.all([wake.close(), cacheInvalidations.close()]);
      if (!ownPool) return;
      const ended = pool.end();
      // A hung server never closes its sockets: stop waiting and tear them down.
      if (!(await settledWithin(ended, connectTimeoutMs))) {
        for (const client of clients) destroyClient(client);
        await settledWithin(ended, 1_000);
      }
    },
  };
}

const PREPARED = new Map<string, string>([
  [APPEND_BATCH_SQL, 'scrollback_append_batch'],
  [APPEND_SQL, 'scrollback_append'],
  [APPEND_RECORDING_INVALIDATION_SQL, 'scrollback_append_recording_invalidation'],
  [CONTROL_SQL, 'scrollback_control'],
  [TAIL_SQL, 'scrollback_tail'],
  [readSql('forward'), 'scrollback_read_forward'],
  [readSql('backward'), 'scrollback_read_backward'],
  [GET_CONVERSATION_SQL, 'scrollback_get_conversation'],
  [READ_ALL_SQL, 'scrollback_read_all'],
  [READ_ALL_AFTER_SNAPSHOT_SQL, 'scrollback_read_all_after_snapshot'],
]);

/**
 * Puts rows in version order, in place: they arrive in it (or its reverse) from the index, so
 * this is a check and at most a reversal, not a sort, unless a plan ever changes.
 */
function inVersionOrder<T extends { version: number }>(items: T[], ascending: boolean): T[] {
  const sign = ascending ? 1 : -1;
  const sorted = (): boolean => items.every((item, i) => i === 0 || sign * (item.version - items[i - 1]!.version) > 0);
  if (sorted()) return items;
  items.reverse();
  if (!sorted()) items.sort((a, b) => sign * (a.version - b.version));
  return items;
}

/** Versions are int4 in the table; callers pass up to MAX_SAFE_INTEGER for "to the head". */
function clampVersion(version: number): number {
  return Math.max(0, Math.min(MAX_VERSION, Math.trunc(version)));
}
