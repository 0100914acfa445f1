/**
 * Row shapes of the SQLite schema and their mapping to the public types. JSON columns are parsed
 * here, once per row.
 */
import type {
  ConversationInfo,
  EventMetadata,
  EventType,
  JsonObject,
  Message,
  MessagePart,
  RedactionMode,
  Role,
  StoredEvent,
} from '../../events/types.js';
import { EVENT_TYPES } from '../../events/types.js';
import { canonicalJson, contentHashOf } from '../../events/content-hash.js';

export interface ConversationRow {
  id: string;
  user_id: string | null;
  title: string | null;
  title_position: number | null;
  status: 'active' | 'deleted';
  version: number;
  message_count: number;
  created_at: string;
  last_message_at: string;
  last_position: number;
  preview: string;
  /** JSON object, canonical (keys sorted at every level), so values compare as text. */
  metadata: string;
}

export interface EventRow {
  position: number;
  conversation_id: string;
  version: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  content_hash: string | null;
  redacted: RedactionMode | null;
  /** JSON of the current body once revised (a `message.appended` row only). */
  revision: string | null;
  retracted: 0 | 1;
}

/** The current body of a revised message, as kept on its `message.appended` row. */
export interface RevisionData {
  content: string;
  parts?: MessagePart[];
  metadata: JsonObject;
}

/** The stored payload of a `message.appended` event. */
export interface MessageData {
  role: Role;
  content: string;
  parts?: MessagePart[];
  metadata: JsonObject;
  redacted?: RedactionMode;
}

export const EVENT_COLUMNS =
  'position, conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash, redacted, revision, retracted';

export const CONVERSATION_COLUMNS =
  'id, user_id, title, title_position, status, version, message_count, created_at, last_message_at, last_position, preview, metadata';

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

function isEventType(type: string): type is EventType {
  return KNOWN_TYPES.has(type);
}

export function toConversationInfo(row: ConversationRow): ConversationInfo {
  return {
    conversationId: row.id,
    userId: row.user_id,
    title: row.title,
    status: row.status,
    version: row.version,
    messageCount: row.message_count,
    createdAt: row.created_at,
    lastMessageAt: row.last_message_at,
    preview: row.preview,
    metadata: JSON.parse(row.metadata) as JsonObject,
  };
}

export function toStoredEvent(row: EventRow): StoredEvent {
  if (!isEventType(row.type)) {
    throw new Error(`sqlite log holds an event of unknown type at position ${row.position}`);
  }
  // The row was written by this backend with the payload for its type; the union is rebuilt here.
  return {
    conversationId: row.conversation_id,
    version: row.version,
    position: row.position,
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as never,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at,
  };
}

/**
 * The columns a message is built from, in the order of {@link MessageTuple}: a tail reads just
 * these, as arrays rather than keyed rows, which the driver builds markedly faster.
 */
export const MESSAGE_COLUMNS = 'event_id, version, data, recorded_at, redacted, revision';

export type MessageTuple = [
  eventId: string,
  version: number,
  data: string,
  recordedAt: string,
  redacted: RedactionMode | null,
  revision: string | null,
];

/** A `message.appended` row as the message stands now (its revision, if any, over what was appended). */
export function toMessage(
  conversationId: string,
  eventId: string,
  version: number,
  dataJson: string,
  recordedAt: string,
  redacted: RedactionMode | null,
  revisionJson: string | null,
): Message {
  const data = JSON.parse(dataJson) as MessageData;
  const body: RevisionData = revisionJson === null ? data : (JSON.parse(revisionJson) as RevisionData);
  // Two literals rather than a spread: the common part-less message is built in one step, and
  // both keep the key order every other path produces.
  if (body.parts === undefined) {
    return {
      id: eventId,
      conversationId,
      version,
      role: data.role,
      content: body.content,
      createdAt: recordedAt,
      metadata: body.metadata,
      redacted: redacted !== null,
    };
  }
  return {
    id: eventId,
    conversationId,
    version,
    role: data.role,
    content: body.content,
    parts: body.parts,
    createdAt: recordedAt,
    metadata: body.metadata,
    redacted: redacted !== null,
  };
}

/** A stored `message.appended` event row as the message stands now. */
export function eventRowToMessage(row: EventRow): Message {
  return toMessage(row.conversation_id, row.event_id, row.version, row.data, row.recorded_at, row.redacted, row.revision);
}

/**
 * The idempotency hash of a `message.appended` row: the stored one once a redaction has blanked the
 * text (or for rows written when every append stored it), else the hash of the text as appended.
 */
export function storedContentHash(row: EventRow): string {
  if (row.content_hash !== null) return row.content_hash;
  const data = JSON.parse(row.data) as MessageData;
  return contentHashOf(data.role, data.content, canonicalJson(data.metadata), data.parts === undefined ? undefined : canonicalJson(data.parts));
}

/** The first `count` code points of `text`, without copying a long string into an array. */
export function firstCodePoints(text: string, count: number): string {
  let index = 0;
  for (let seen = 0; seen < count && index < text.length; seen++) {
    const code = text.codePointAt(index) ?? 0;
    index += code > 0xffff ? 2 : 1;
  }
  return index >= text.length ? text : text.slice(0, index);
}

export const PREVIEW_CODE_POINTS = 200;
