/**
 * The public store interface: the names other code calls. See DESIGN.md, "Public API".
 */
import type { CacheInspection } from '../cache/conversation-cache.js';
import type {
  AppendOptions,
  AppendResult,
  ConversationInfo,
  ConversationState,
  DeleteOptions,
  IdempotentWriteOptions,
  ListOptions,
  ListResult,
  Message,
  MessageInput,
  MetadataPatch,
  ReadOptions,
  ReadResult,
  RedactOptions,
  RevisionInput,
  StoredEvent,
  TailMessage,
  WriteOptions,
  WriteResult,
} from '../events/types.js';
import type { FallbackApi } from '../fallback/types.js';
import type { StoreStats, InstanceStats, RedisServerInfo } from '../metrics/types.js';

/** Which backends a store runs on, picked by configuration. */
export type StoreMode = 'embedded' | 'postgres' | 'hybrid' | 'hybrid+fallback';

export type BackendName = 'postgres' | 'redis' | 'sqlite';
export type HealthStatus = 'up' | 'degraded' | 'down';

export interface BackendHealth {
  status: HealthStatus;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  backends: Partial<Record<BackendName, BackendHealth>>;
}

/** Where `subscribe` starts: the beginning, now, or a stored checkpoint. */
export type SubscribeFrom = 'start' | 'end' | string;

/** Called with each batch in commit order; the next batch waits for a returned promise. */
export type EventsHandler = (events: StoredEvent[], checkpoint: string) => void | Promise<void>;

export type Unsubscribe = () => void;

/**
 * Where a tail was served from, for the console and for tests. 'outbox' ('hybrid+fallback' mode):
 * neither the log nor a cache tier answered, so the tail holds only the messages queued locally.
 */
export type TailSource = 'l1' | 'redis' | 'log' | 'outbox';

/** Verdict on a cache entry compared with the log's tail. */
export type CacheVerdict = 'consistent' | 'stale' | 'diverged' | 'missing' | 'torn' | 'disabled';

/** A message field `cache.inspect` compares between the cache entry and the log. */
export type CacheComparedField = 'id' | 'role' | 'content' | 'parts' | 'metadata' | 'redacted';

/** One message the cache holds differently from the log (same place in the tail). */
export interface CacheDifference {
  version: number;
  messageId: string;
  fields: CacheComparedField[];
  /** Set when the message is on one side only. */
  missingFrom?: 'cache' | 'log';
}

export interface CacheEntryReport extends CacheInspection {
  conversationId: string;
  verdict: CacheVerdict;
  /** Messages that differ between entry and log when both are at the same head; empty otherwise. */
  differences: CacheDifference[];
  /** The log's head and tail at inspection time. */
  log: { version: number; position: number; messages: Message[] };
}

export interface WarmOptions {
  userId?: string;
  /** Only conversations whose last message is at or after this time (ISO 8601 or a Date). */
  since?: string | Date;
  limit?: number;
}

/** What a bulk `cache.warm` did with each conversation it considered. */
export interface WarmReport {
  /** Filled from the log. */
  warmed: number;
  /** Already cached: left as it was. */
  cached: number;
  /** Another reader was filling it, or it changed while being read: its next read fills it. */
  skipped: number;
  /** A backend failed for it; the error is logged. */
  failed: number;
}

export interface CacheApi {
  /** What Redis holds (version, messages, TTL) against the log's tail, with a verdict. */
  inspect(conversationId: string): Promise<CacheEntryReport>;
  /** Drops the entry and raises the fence; a no-op for an unknown conversation. */
  evict(conversationId: string): Promise<void>;
  /** Fills the entry from the log, fenced like any fill. */
  warm(conversationId: string): Promise<void>;
  /**
   * Pre-loads recent conversations (newest first): a user's, those active since a time, or both;
   * at most `limit` (default 50, up to 500), one at a time so a warm-up never floods the log.
   */
  warm(options: WarmOptions): Promise<WarmReport>;
  /** Metrics every live store instance published (hybrid mode; empty otherwise). */
  instances(): Promise<InstanceStats[]>;
  /** The Redis server's own view (INFO); null without Redis. Not the store's hit ratio. */
  serverInfo(): Promise<RedisServerInfo | null>;
}

export interface ConversationStore {
  readonly mode: StoreMode;
  append(
    conversationId: string,
    message: MessageInput | MessageInput[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * Last `n` (default 20) messages, oldest first; `[]` for an unknown conversation. In
   * 'hybrid+fallback' mode the messages still queued in the outbox (version null) come last.
   */
  tail(conversationId: string, n?: number): Promise<TailMessage[]>;
  /** `tail`, plus where it was served from and how long it took. */
  tailWithSource(conversationId: string, n?: number): Promise<{ messages: TailMessage[]; source: TailSource; ms: number }>;
  read(conversationId: string, options?: ReadOptions): Promise<ReadResult>;
  getConversation(conversationId: string): Promise<ConversationInfo | null>;
  listConversations(options?: ListOptions): Promise<ListResult>;
  stateAt(conversationId: string, version: number): Promise<ConversationState>;
  rename(conversationId: string, title: string, options?: WriteOptions): Promise<WriteResult>;
  redact(conversationId: string, messageId: string, options: RedactOptions): Promise<WriteResult>;
  /**
   * Appends `message.revised`: the message keeps its id and place, and tails, `stateAt` (from this
   * version on), search and previews show the new body. A redacted or retracted message →
   * ValidationError('messageId').
   */
  revise(conversationId: string, messageId: string, revision: RevisionInput, options?: IdempotentWriteOptions): Promise<WriteResult>;
  /**
   * Appends `message.retracted`: the message leaves tails, `stateAt` (from this version on), search
   * and previews; its text stays in the log for replay (unlike a purge). Retracting twice is a no-op.
   */
  retract(conversationId: string, messageId: string, options?: IdempotentWriteOptions): Promise<WriteResult>;
  /**
   * Appends `conversation.metadata-set { set, unset }`: top-level keys of `patch` are set, a `null`
   * removes its key. `ConversationInfo.metadata` holds the merged object, bounded by
   * `maxMetadataBytes`; `listConversations({ metadata })` filters by it.
   */
  setMetadata(conversationId: string, patch: MetadataPatch, options?: IdempotentWriteOptions): Promise<WriteResult>;
  deleteConversation(conversationId: string, options?: DeleteOptions): Promise<void>;
  subscribe(options: { from?: SubscribeFrom }, onEvents: EventsHandler): Unsubscribe;
  stats(): StoreStats;
  health(): Promise<HealthReport>;
  close(): Promise<void>;
  readonly cache: CacheApi;
  /**
   * The fallback outbox's dead letters: present in 'hybrid+fallback' mode, null in every other mode
   * and on a read-only store (which has no outbox to write to).
   */
  readonly fallback: FallbackApi | null;
}
