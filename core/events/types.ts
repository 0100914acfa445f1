/**
 * The event model: one event type per fact, each with a small typed payload, and the shapes the
 * public API returns. Times are ISO 8601 UTC strings.
 */

/** Who wrote a message. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant', 'tool'];

/** JSON-serialisable values, as stored in metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * One structured part of a message (text, a tool call, a file, reasoning…), stored as given: the
 * AI SDK's `UIMessage.parts`, for instance. Only `type` is required.
 */
export type MessagePart = { type: string; [key: string]: JsonValue };

/**
 * What a caller appends. `id` becomes the event id, so retries that pass it are idempotent: any id
 * string under the rules for conversation ids (the AI SDK's, OpenAI's and LangChain's ids are kept
 * as they are); a UUIDv7 is generated when it is absent.
 */
export interface MessageInput {
  role: Role;
  /**
   * The text. Given `parts` without `content`, it is derived: the `text` of the `{ type: 'text' }`
   * parts, concatenated (search and previews use it). At least one of the two is required.
   */
  content?: string;
  /** Structured parts, stored as given; their JSON counts against `maxContentBytes` with `content`. */
  parts?: MessagePart[];
  id?: string;
  /** The message's own metadata: model, tokens, latencyMs, tool calls… */
  metadata?: JsonObject;
}

/** A message: the projection of a `message.appended` event. Its `id` is the event id. */
export interface Message {
  id: string;
  conversationId: string;
  version: number;
  role: Role;
  content: string;
  /** Present when the message has parts (a redaction removes them with the text). */
  parts?: MessagePart[];
  createdAt: string;
  metadata: JsonObject;
  redacted: boolean;
}

export type RedactionMode = 'mask' | 'purge';

/** Payloads by event type. */
export interface EventDataMap {
  'conversation.started': { userId: string | null };
  'message.appended': {
    role: Role;
    content: string;
    /** Absent when the message was appended without parts. */
    parts?: MessagePart[];
    metadata: JsonObject;
    /** Set once the message was redacted: its content (and, for purge, metadata) is gone. */
    redacted?: RedactionMode;
  };
  'message.redacted': { messageId: string; mode: RedactionMode; reason: string; by: string | null };
  'conversation.renamed': { title: string };
  'conversation.deleted': { hard: false };
  /**
   * A message's new body: it keeps its id and place. `parts` absent means the revised message has
   * none; `metadata` absent means its metadata is unchanged. A redaction blanks these too.
   */
  'message.revised': { messageId: string; content: string; parts?: MessagePart[]; metadata?: JsonObject };
  /** The message leaves tails, state, search and previews; its events stay in the log. */
  'message.retracted': { messageId: string };
  /** Top-level keys set on (and removed from) the conversation's metadata; `unset` is sorted. */
  'conversation.metadata-set': { set: JsonObject; unset: string[] };
}

export type EventType = keyof EventDataMap;
export const EVENT_TYPES: readonly EventType[] = [
  'conversation.started',
  'message.appended',
  'message.redacted',
  'conversation.renamed',
  'conversation.deleted',
  'message.revised',
  'message.retracted',
  'conversation.metadata-set',
];

/** Event metadata: who and why, never content. */
export interface EventMetadata {
  userId?: string;
  requestId?: string;
  correlationId?: string;
  causationId?: string;
  [key: string]: JsonValue | undefined;
}

/** An event as stored in the log. */
export type StoredEvent = {
  [T in EventType]: {
    conversationId: string;
    /** 1, 2, 3 … gap-free per conversation. */
    version: number;
    /** Global, monotonic, not gap-free. */
    position: number;
    eventId: string;
    type: T;
    data: EventDataMap[T];
    metadata: EventMetadata;
    recordedAt: string;
  };
}[EventType];

export type ConversationStatus = 'active' | 'deleted';

/** One row of the conversations projection; listing never scans messages. */
export interface ConversationInfo {
  conversationId: string;
  userId: string | null;
  title: string | null;
  status: ConversationStatus;
  version: number;
  messageCount: number;
  createdAt: string;
  /** Time of the last appended message (every conversation starts with one). */
  lastMessageAt: string;
  /** First 200 code points of the last visible (unredacted, unretracted) message's content, no ellipsis. */
  preview: string;
  /** The conversation's own metadata, as `setMetadata` calls merged it (`{}` until set). */
  metadata: JsonObject;
}

/** A conversation folded up to some version (see `stateAt`). */
export interface ConversationState {
  conversationId: string;
  userId: string | null;
  title: string | null;
  status: ConversationStatus;
  version: number;
  messages: Message[];
}

/** `expectedVersion` of an append: the version before it. `0` means `'no_stream'`. */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'exists';

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
  userId?: string;
  metadata?: EventMetadata;
}

/** An append the log took: written now, or (for a retry) found already written. */
export interface LoggedAppendResult {
  conversationId: string;
  /** The head version after the append (for a retry: the head the original append produced). */
  version: number;
  /** Position of the last event written. */
  position: number;
  outcome: 'appended' | 'already_appended';
  messages: Message[];
}

/** A message written to the fallback outbox: its id is final, its version is given on drain. */
export interface QueuedMessage extends Omit<Message, 'version'> {
  version: null;
}

/**
 * An append the fallback outbox took while PostgreSQL was unreachable ('hybrid+fallback' mode):
 * on disk locally, replayed to the log with the same ids when it answers again.
 */
export interface QueuedAppendResult {
  conversationId: string;
  version: null;
  position: null;
  outcome: 'queued';
  messages: QueuedMessage[];
}

/** What `append` resolves with; switch on `outcome` before reading `version` or `position`. */
export type AppendResult = LoggedAppendResult | QueuedAppendResult;

/** A message in a tail: from the log or a cache tier, or (fallback mode) still queued locally. */
export type TailMessage = Message | QueuedMessage;

export interface ReadOptions {
  fromVersion?: number;
  toVersion?: number;
  direction?: 'forward' | 'backward';
  limit?: number;
}

export interface ReadResult {
  events: StoredEvent[];
  /** The conversation's true head version. */
  version: number;
}

export interface ListOptions {
  userId?: string;
  search?: string;
  /**
   * Keeps conversations whose metadata has every given top-level key equal to the given JSON value
   * (objects and arrays compare as whole values).
   */
  metadata?: JsonObject;
  cursor?: string;
  limit?: number;
  includeDeleted?: boolean;
}

export interface ListResult {
  items: ConversationInfo[];
  nextCursor?: string;
}

export interface WriteOptions {
  userId?: string;
  metadata?: EventMetadata;
}

export interface RedactOptions extends WriteOptions {
  mode: RedactionMode;
  reason: string;
  by?: string;
}

export interface DeleteOptions extends WriteOptions {
  hard?: boolean;
}

/** A revision: the new text, parts or both (as in `MessageInput`), and optionally new metadata. */
export interface RevisionInput {
  /** Derived from the text parts when only `parts` is given. */
  content?: string;
  /** The revised message's parts; absent means it has none. */
  parts?: MessagePart[];
  /** Replaces the message's metadata; absent keeps it. */
  metadata?: JsonObject;
}

/**
 * Options of `revise`, `retract` and `setMetadata`. `eventId` (same rules as message ids) makes a retry safe: the
 * same id with the same payload returns the original result and writes nothing; the same id with
 * another payload is an `IdempotencyConflictError`. Without it every call is a new event.
 */
export interface IdempotentWriteOptions extends WriteOptions {
  eventId?: string;
}

/** A metadata patch: top-level keys to set; `null` removes a key. */
export type MetadataPatch = { [key: string]: JsonValue };

/** The result of a write that appends one event (rename, redact, revise, retract, soft delete). */
export interface WriteResult {
  conversationId: string;
  version: number;
  position: number;
}
