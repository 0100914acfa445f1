/**
 * The event log: the one interface the PostgreSQL and SQLite backends implement. The store
 * validates input, assigns ids and hashes before calling it; the log owns atomicity (locking,
 * expected-version and idempotency checks, projections kept in the same transaction) and wraps
 * driver errors into `BackendUnavailableError` at its boundary.
 */
import type {
  ConversationInfo,
  EventMetadata,
  ExpectedVersion,
  JsonObject,
  ListOptions,
  ListResult,
  Message,
  MessagePart,
  ReadResult,
  RedactionMode,
  Role,
  StoredEvent,
  WriteResult,
} from '../events/types.js';

/** A validated message with its id assigned and its idempotency hash computed. */
export interface NewMessage {
  id: string;
  role: Role;
  /** The text (derived from the text parts when the caller gave parts alone). */
  content: string;
  parts?: MessagePart[];
  metadata: JsonObject;
  /**
   * Hash of role, content, parts and metadata: what an idempotent retry compares, kept once the
   * text is gone (redaction) so a redacted message still compares. Computed on first read, so a
   * log that compares stored text instead pays nothing for it on a fresh append.
   */
  readonly contentHash: string;
}

export interface LogAppendRequest {
  conversationId: string;
  /** At least one message; ids unique within the batch. */
  messages: NewMessage[];
  expectedVersion: ExpectedVersion;
  /** Owner when this append creates the conversation; recorded in event metadata either way. */
  userId: string | null;
  /** Event id for `conversation.started` when this append creates the conversation. */
  startedEventId: string;
  /** Metadata stored on every event written (userId already merged in by the store). */
  metadata: EventMetadata;
  /**
   * Record a cache invalidation for the new head in the append's own transaction: the caller's
   * Redis is known to be unreachable, so it can't write the entry through itself.
   */
  recordCacheInvalidation?: boolean;
}

export interface LogAppendResult {
  version: number;
  position: number;
  outcome: 'appended' | 'already_appended';
  /** The appended (or, for a retry, the originally stored) messages, in version order. */
  messages: Message[];
  /** Head version before this append; 0 when it created the conversation. */
  previousVersion: number;
  /** True when this append wrote `conversation.started`. */
  created: boolean;
}

/** The last messages of a conversation and its head, all read from one consistent snapshot. */
export interface TailSnapshot {
  status: 'active' | 'deleted';
  version: number;
  /** Position of the conversation's last event. */
  position: number;
  /** Last `n` non-purged messages, oldest first. */
  messages: Message[];
}

/** A single-event write other than an append: rename, redaction, revision, retraction, soft delete. */
export type ControlEvent =
  | { type: 'conversation.renamed'; title: string }
  | { type: 'message.redacted'; messageId: string; mode: RedactionMode; reason: string; by: string | null }
  | { type: 'conversation.deleted' }
  | { type: 'message.revised'; messageId: string; content: string; parts?: MessagePart[]; metadata?: JsonObject }
  | { type: 'message.retracted'; messageId: string }
  /** `maxBytes` bounds the merged metadata (serialised); it is not stored. */
  | { type: 'conversation.metadata-set'; set: JsonObject; unset: string[]; maxBytes: number };

export interface ControlRequest {
  conversationId: string;
  eventId: string;
  event: ControlEvent;
  metadata: EventMetadata;
  /**
   * Set when the caller chose `eventId`: the hash of the event's type and payload. An event stored
   * under that id with this hash is this write's earlier success (returned unchanged, `changed`
   * false); with another hash, or another type, the write is an IdempotencyConflictError.
   */
  idempotencyHash?: string;
}

/** A control write's result; `changed` is false for a no-op (deleting twice, redacting twice). */
export interface ControlResult extends WriteResult {
  changed: boolean;
}

/** Events across all conversations in commit order, and the checkpoint after the last one. */
export interface GlobalBatch {
  events: StoredEvent[];
  checkpoint: string;
}

/** A cache invalidation recorded in the log for the instances whose Redis is healthy. */
export interface RecordedInvalidation {
  id: string;
  conversationId: string;
  /** The conversation's position after the commit it stands for. */
  position: number;
  recordedAt: Date;
}

/**
 * Invalidations that instances could not apply to the shared Redis themselves (PostgreSQL only:
 * hybrid mode is where several instances share one cache).
 */
export interface CacheInvalidationLog {
  /** Records one after a failed write-through (the commit is already done). */
  record(conversationId: string, position: number): Promise<void>;
  /**
   * Rows recorded after `after` (null: the whole retention window, an hour), oldest first, at
   * most `limit`; `at` is the database's clock when the rows were read.
   */
  recent(after: Date | null, limit: number): Promise<{ at: Date; rows: RecordedInvalidation[] }>;
  /** Deletes rows past the retention window. */
  prune(): Promise<void>;
  /** Calls `listener` when a row may have been recorded (a hint; poll as well). */
  onRecorded(listener: () => void): () => void;
}

export interface EventLog {
  readonly backend: 'postgres' | 'sqlite';

  /** Present where several instances can share one cache (PostgreSQL). */
  readonly cacheInvalidations?: CacheInvalidationLog;

  /** Applies pending migrations under a lock; records what it applied. Idempotent. */
  migrate(): Promise<void>;

  /**
   * Appends messages atomically. Order of checks: conversation deleted → ConversationDeletedError;
   * idempotency (all ids stored with equal hashes → already_appended; some stored, or a hash
   * differs → IdempotencyConflictError); then the expected version (VersionConflictError with the
   * actual head). Creating a conversation writes `conversation.started` first.
   */
  append(request: LogAppendRequest): Promise<LogAppendResult>;

  /**
   * Rename → NotFound/Deleted errors as the design says; redaction works on soft-deleted
   * conversations too (an unknown messageId → ValidationError('messageId')); soft delete twice is a
   * no-op. Redaction rewrites the message in place: mask blanks content (and parts), purge also
   * blanks metadata and hides the message from tails; both blank the message's revisions, drop it
   * from search and refresh the preview. Revision and retraction keep the appended event as it was
   * and update the message's current state (tails, search, preview): revising a redacted or
   * retracted message → ValidationError('messageId'); retracting twice is a no-op. Rename, revision
   * and retraction of a deleted conversation → ConversationDeletedError. With `idempotencyHash`,
   * a stored event id is checked first (after the deleted check).
   */
  control(request: ControlRequest): Promise<ControlResult>;

  /** Removes every row of the conversation; returns its last position, null when unknown. */
  hardDelete(conversationId: string): Promise<{ position: number } | null>;

  /** Events in a version range, inclusive; null when the conversation is unknown. */
  read(
    conversationId: string,
    options: { fromVersion: number; toVersion: number; direction: 'forward' | 'backward'; limit: number },
  ): Promise<ReadResult | null>;

  /** Last `n` visible messages and the head, from one snapshot; null when unknown. */
  tail(conversationId: string, n: number): Promise<TailSnapshot | null>;

  getConversation(conversationId: string): Promise<ConversationInfo | null>;

  /** `limit` already validated (1…500). */
  listConversations(options: ListOptions & { limit: number }): Promise<ListResult>;

  /** Next events after `checkpoint` in commit order (never skipping a late-committing one). */
  readAll(checkpoint: string | 'start', limit: number): Promise<GlobalBatch>;

  /** A checkpoint after everything committed now. */
  endCheckpoint(): Promise<string>;

  /** Calls `listener` when new events may have been committed (a hint, not the truth). */
  onWake(listener: () => void): () => void;

  /** Round trip to the server, bounded by the query timeout. */
  ping(): Promise<void>;

  close(): Promise<void>;
}
