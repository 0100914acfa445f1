/**
 * Every statement the SQLite log runs, prepared once per connection (after migrations, since
 * preparing checks the schema). Listing statements vary by filter and live in list.ts.
 */
import type { Database, RunResult } from 'better-sqlite3';
import { CONVERSATION_COLUMNS, EVENT_COLUMNS, type ConversationRow, type EventRow } from './rows.js';

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

export function prepareStatements(db: Database) {
  const prepare = <P extends unknown[], R = unknown>(sql: string): SqliteStatement<P, R> => db.prepare<P, R>(sql);
  return {
    conversation: prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`),
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
    deleteConversation: prepare<[string]>('DELETE FROM conversations WHERE id = ?'),

    insertEvent: prepare<
      [
        conversationId: string,
        version: number,
        eventId: string,
        type: string,
        data: string,
        metadata: string,
        recordedAt: string,
        contentHash: string | null,
      ]
    >(
      `INSERT INTO events (conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventById: prepare<[conversationId: string, eventId: string], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE conversation_id = ? AND event_id = ?`,
    ),
    rewriteMessage: prepare<[data: string, redacted: string, position: number]>(
      'UPDATE events SET data = ?, redacted = ? WHERE position = ?',
    ),
    lastUnredactedMessage: prepare<[string], { data: string }>(
      `SELECT data FROM events
       WHERE conversation_id = ? AND type = 'message.appended' AND redacted IS NULL
       ORDER BY version DESC LIMIT 1`,
    ),
    deleteEvents: prepare<[string]>('DELETE FROM events WHERE conversation_id = ?'),

    tail: prepare<[conversationId: string, n: number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE conversation_id = ? AND type = 'message.appended' AND (redacted IS NULL OR redacted <> 'purge')
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
    /** Indexes, in one statement, the unredacted messages in a position range (after, through]. */
    indexMessages: prepare<[after: number, through: number]>(
      `INSERT INTO search_index (rowid, body)
       SELECT position, json_extract(data, '$.content') FROM events
       WHERE position > ? AND position <= ? AND type = 'message.appended' AND redacted IS NULL`,
    ),
    /** Removes one message's row, with the text exactly as indexMessages read it. */
    unindexMessage: prepare<[position: number]>(
      `INSERT INTO search_index (search_index, rowid, body)
       SELECT 'delete', position, json_extract(data, '$.content') FROM events WHERE position = ?`,
    ),
    /** Removes a conversation's indexed messages (those at or below the watermark, unredacted). */
    unindexConversation: prepare<[conversationId: string, through: number]>(
      `INSERT INTO search_index (search_index, rowid, body)
       SELECT 'delete', position, json_extract(data, '$.content') FROM events
       WHERE conversation_id = ? AND position <= ? AND type = 'message.appended' AND redacted IS NULL`,
    ),

    ping: prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}
