/**
 * Every statement the SQLite log runs, prepared once per connection (after migrations, since
 * preparing checks the schema). Listing statements vary by filter and live in list.ts.
 */
import type { Database, RunResult } from 'better-sqlite3';
import { CONVERSATION_COLUMNS, EVENT_COLUMNS, MESSAGE_COLUMNS, type ConversationRow, type EventRow, type MessageTuple } from './rows.js';

export type Statements = ReturnType<typeof prepareStatements>;

/**
 * What the log calls on a prepared statement, under a name the emitted declarations can use
 * (@types/better-sqlite3's own statement type lives in a namespace it doesn't export).
 */
export interface SqliteStatement<P extends unknown[], R = unknown> {
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** A message's current text: its revision's, else what was appended. */
const CURRENT_CONTENT = "coalesce(json_extract(revision, '$.content'), json_extract(data, '$.content'))";

export type ConversationHead = Pick<ConversationRow, 'status' | 'version' | 'last_position'>;

/** One event row's parameters, in the column order of `insertEvent` and `insertEvents`. */
export type EventParams = [
  conversationId: string,
  version: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
  contentHash: string | null,
];

const EVENT_INSERT = 'INSERT INTO events (conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash) VALUES ';
const EVENT_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?)';

/** The largest multi-row insert prepared: 8 parameters a row, far below SQLite's variable limit. */
export const MAX_ROWS_PER_INSERT = 64;

export function prepareStatements(db: Database) {
  const prepare = <P extends unknown[], R = unknown>(sql: string): SqliteStatement<P, R> => db.prepare<P, R>(sql);
  // Rows as arrays: no keyed object per row, for the reads that return many.
  const prepareRaw = <P extends unknown[], R extends unknown[]>(sql: string): SqliteStatement<P, R> =>
    db.prepare<P, R>(sql).raw(true);
  // Multi-row inserts, prepared on first use for power-of-two row counts only, so at most seven
  // statements exist whatever the batch sizes: a batch is written as its binary decomposition.
  const multiRowInserts = new Map<number, SqliteStatement<unknown[]>>();
  const insertEvents = (rows: number): SqliteStatement<unknown[]> => {
    let statement = multiRowInserts.get(rows);
    if (statement === undefined) {
      statement = prepare<unknown[]>(EVENT_INSERT + Array.from({ length: rows }, () => EVENT_VALUES).join(', '));
      multiRowInserts.set(rows, statement);
    }
    return statement;
  };
  return {
    conversation: prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`),
    /** What an append and a tail need of the projection, without its preview and metadata text. */
    conversationHead: prepare<[string], ConversationHead>(
      'SELECT status, version, last_position FROM conversations WHERE id = ?',
    ),
    insertConversation: prepare<[id: string, userId: string | null, createdAt: string, lastMessageAt: string]>(
      `INSERT INTO conversations (id, user_id, version, created_at, last_message_at, last_position)
       VALUES (?, ?, 1, ?, ?, 0)`,
    ),
    updateAfterAppend: prepare<
      [version: number, messageCount: number, lastMessageAt: string, lastPosition: number, preview: string, id: string]
    >(
      `UPDATE conversations
       SET version = ?, message_count = message_count + ?, last_message_at = ?, last_position = ?, preview = ?
       WHERE id = ?`,
    ),
    updateHead: prepare<[version: number, lastPosition: number, id: string]>(
      'UPDATE conversations SET version = ?, last_position = ? WHERE id = ?',
    ),
    /** The rename event's position is both the title's search row id and the new last position. */
    updateTitle: prepare<[title: string, position: number, version: number, lastPosition: number, id: string]>(
      'UPDATE conversations SET title = ?, title_position = ?, version = ?, last_position = ? WHERE id = ?',
    ),
    markDeleted: prepare<[version: number, lastPosition: number, id: string]>(
      "UPDATE conversations SET status = 'deleted', version = ?, last_position = ? WHERE id = ?",
    ),
    updatePreview: prepare<[preview: string, id: string]>('UPDATE conversations SET preview = ? WHERE id = ?'),
    updateMetadata: prepare<[metadata: string, version: number, lastPosition: number, id: string]>(
      'UPDATE conversations SET metadata = ?, version = ?, last_position = ? WHERE id = ?',
    ),
    deleteConversation: prepare<[string]>('DELETE FROM conversations WHERE id = ?'),

    insertEvent: prepare<EventParams>(EVENT_INSERT + EVENT_VALUES),
    /** `rows` events in one statement (a power of two up to MAX_ROWS_PER_INSERT); parameters row after row. */
    insertEvents,
    eventById: prepare<[conversationId: string, eventId: string], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE conversation_id = ? AND event_id = ?`,
    ),
    rewriteMessage: prepare<[data: string, redacted: string, revision: string | null, contentHash: string, position: number]>(
      'UPDATE events SET data = ?, redacted = ?, revision = ?, content_hash = ? WHERE position = ?',
    ),
    setRevision: prepare<[revision: string, position: number]>('UPDATE events SET revision = ? WHERE position = ?'),
    markRetracted: prepare<[position: number]>('UPDATE events SET retracted = 1 WHERE position = ?'),
    /** A message's `message.revised` events (a redaction blanks them too). */
    revisionsOf: prepare<[conversationId: string, messageId: string], { position: number; data: string }>(
      `SELECT position, data FROM events
       WHERE conversation_id = ? AND type = 'message.revised' AND json_extract(data, '$.messageId') = ?`,
    ),
    rewriteRevision: prepare<[data: string, redacted: string, position: number]>(
      'UPDATE events SET data = ?, redacted = ? WHERE position = ?',
    ),
    lastUnredactedMessage: prepare<[string], { data: string; revision: string | null }>(
      `SELECT data, revision FROM events
       WHERE conversation_id = ? AND type = 'message.appended' AND redacted IS NULL AND retracted = 0
       ORDER BY version DESC LIMIT 1`,
    ),
    deleteEvents: prepare<[string]>('DELETE FROM events WHERE conversation_id = ?'),

    /** Newest first (the index order), as arrays of MESSAGE_COLUMNS. */
    tail: prepareRaw<[conversationId: string, n: number], MessageTuple>(
      `SELECT ${MESSAGE_COLUMNS} FROM events
       WHERE conversation_id = ? AND type = 'message.appended' AND (redacted IS NULL OR redacted <> 'purge')
         AND retracted = 0
       ORDER BY version DESC LIMIT ?`,
    ),
    readForward: prepare<[conversationId: string, from: number, to: number, limit: number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE conversation_id = ? AND version >= ? AND version <= ?
       ORDER BY version ASC LIMIT ?`,
    ),
    readBackward: prepare<[conversationId: string, from: number, to: number, limit: number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE conversation_id = ? AND version <= ? AND version >= ?
       ORDER BY version DESC LIMIT ?`,
    ),
    readAll: prepare<[after: number, limit: number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`,
    ),
    /** The highest position ever issued (AUTOINCREMENT keeps it even after deletes). */
    lastIssuedPosition: prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),

    indexText: prepare<[position: number, text: string]>('INSERT INTO search_index (rowid, body) VALUES (?, ?)'),
    /** Contentless FTS5 removes a row given its original text; secure-delete drops the tokens. */
    unindexText: prepare<[position: number, text: string]>(
      "INSERT INTO search_index (search_index, rowid, body) VALUES ('delete', ?, ?)",
    ),
    searchWatermark: prepare<[], { indexed_through: number }>('SELECT indexed_through FROM search_progress'),
    setSearchWatermark: prepare<[position: number]>('UPDATE search_progress SET indexed_through = ?'),
    /** Indexes, in one statement, the visible messages in a position range (after, through], as they read now. */
    indexMessages: prepare<[after: number, through: number]>(
      `INSERT INTO search_index (rowid, body)
       SELECT position, ${CURRENT_CONTENT} FROM events
       WHERE position > ? AND position <= ? AND type = 'message.appended' AND redacted IS NULL AND retracted = 0`,
    ),
    /** Removes one message's row, with the text exactly as it was indexed (run before changing it). */
    unindexMessage: prepare<[position: number]>(
      `INSERT INTO search_index (search_index, rowid, body)
       SELECT 'delete', position, ${CURRENT_CONTENT} FROM events WHERE position = ?`,
    ),
    /** Removes a conversation's indexed messages (those at or below the watermark, visible). */
    unindexConversation: prepare<[conversationId: string, through: number]>(
      `INSERT INTO search_index (search_index, rowid, body)
       SELECT 'delete', position, ${CURRENT_CONTENT} FROM events
       WHERE conversation_id = ? AND position <= ? AND type = 'message.appended' AND redacted IS NULL AND retracted = 0`,
    ),

    ping: prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}
