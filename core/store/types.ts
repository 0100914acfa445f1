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
  ListOptions,
  ListResult,
  Message,
  MessageInput,
  ReadOptions,
  ReadResult,
  RedactOptions,
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
export type CacheVerdict = 'consistent' | 'stale' | 'missing' | 'torn' | 'disabled';

export interface CacheEntryReport extends CacheInspection {
  conversationId: string;
  verdict: CacheVerdict;
  /** The log's head and tail at inspection time. */
  log: { version: number; position: number; messages: Message[] };
}

export interface CacheApi {
  /** What Redis holds (version, messages, TTL) against the log's tail, with a verdict. */
  inspect(conversationId: string): Promise<CacheEntryReport>;
  /** Drops the entry and raises the fence; a no-op for an unknown conversation. */
  evict(conversationId: string): Promise<void>;
  /** Fills the entry from the log, fenced like any fill. */
  warm(conversationId: string): Promise<void>;
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
