/** Rows of the PostgreSQL log → the public shapes (ISO strings, JS numbers). */
import type { ConversationInfo, EventMetadata, JsonObject, Message, MessagePart, Role, StoredEvent } from '../../events/types.js';

export interface EventRow {
  position: string;
  /** Absent from reads of one conversation (CONVERSATION_EVENT_COLUMNS). */
  conversation_id: string;
  version: number;
  event_id: string;
  type: StoredEvent['type'];
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** ISO 8601 text, formatted by the server (see ISO_TIME). */
  recorded_at: string;
}

export interface ConversationRow {
  id: string;
  user_id: string | null;
  title: string | null;
  status: 'active' | 'deleted';
  version: number;
  message_count: number;
  created_at: Date;
  last_message_at: Date;
  last_position: string;
  preview: string;
  metadata: JsonObject;
}

/**
 * A timestamptz column as the ISO 8601 text `Date.prototype.toISOString` writes (times are stored
 * to the millisecond). Formatting on the server spares reads a Date parse and a format per row,
 * which showed in profiles of whole-history reads.
 */
export function isoTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Columns of `events` in EventRow's shape, for a read of one conversation (whose id the caller knows). */
export const CONVERSATION_EVENT_COLUMNS = `e.position, e.version, e.event_id, e.type, e.data, e.metadata, ${isoTime('e.recorded_at')} AS recorded_at`;

/** Columns of `events` in EventRow's shape with the conversation id (for `SELECT ${EVENT_COLUMNS} FROM events e`). */
export const EVENT_COLUMNS = `e.conversation_id, ${CONVERSATION_EVENT_COLUMNS}`;

/** A `message.appended` row's data as the message stands now: the revision, if any, laid over it. */
export const CURRENT_MESSAGE_DATA = "CASE WHEN e.revision IS NULL THEN e.data ELSE (e.data - 'parts') || e.revision END";

export const CONVERSATION_COLUMNS =
  'c.id, c.user_id, c.title, c.status, c.version, c.message_count, c.created_at, c.last_message_at, c.last_position, c.preview, c.metadata';

/** bigint columns arrive as strings; positions stay far below 2^53. */
export function toPosition(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

/** `conversationId` when the rows are of one conversation, read without the column. */
export function toStoredEvent(row: EventRow, conversationId = row.conversation_id): StoredEvent {
  return {
    conversationId,
    version: row.version,
    position: toPosition(row.position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  } as StoredEvent;
}

/** A `message.appended` event's data as stored. */
export interface MessageData {
  role: Role;
  content: string;
  parts?: MessagePart[];
  metadata: JsonObject;
  redacted?: 'mask' | 'purge';
}

/** `createdAt` is ISO 8601 text. */
export function toMessage(conversationId: string, id: string, version: number, data: MessageData, createdAt: string): Message {
  return {
    id,
    conversationId,
    version,
    role: data.role,
    content: data.content,
    ...(data.parts !== undefined ? { parts: data.parts } : {}),
    createdAt,
    metadata: data.metadata,
    redacted: data.redacted !== undefined,
  };
}

export function toConversationInfo(row: ConversationRow): ConversationInfo {
  return {
    conversationId: row.id,
    userId: row.user_id,
    title: row.title,
    status: row.status,
    version: row.version,
    messageCount: row.message_count,
    createdAt: row.created_at.toISOString(),
    lastMessageAt: row.last_message_at.toISOString(),
    preview: row.preview,
    metadata: row.metadata,
  };
}
