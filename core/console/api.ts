/**
 * The console's one typed API: every method's input as a zod schema (validated at the server
 * boundary) and its output as a TypeScript type, in one map keyed by method name. The renderer
 * imports this file type-only and derives argument and result types from the method name.
 *
 * Transport: `POST /api/<method>` with the JSON input, answered `200 {ok:true,data}` or
 * `4xx/5xx {ok:false,error}`; live data over the WebSocket at `/api/ws` (live-messages.ts).
 */
import { z } from 'zod';
import type { ScrollbackErrorCode } from '../errors/errors.js';
import type { ConversationInfo, ConversationState, Message, StoredEvent, TailMessage } from '../events/types.js';
import type { InstanceStats, RedisServerInfo, StoreStats } from '../metrics/types.js';
import type { BackendHealth, BackendName, CacheEntryReport, HealthStatus, StoreMode, TailSource, HealthReport } from '../store/types.js';

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/** Ids as the store accepts them; the store re-validates (control characters, lengths). */
const id = z.string().min(1).max(256);
export const environmentId = z.string().min(1).max(64);
const isoTime = z.iso.datetime({ offset: true });

/** The confirmation `environments.update` needs to lower an environment's protection. */
export const LOWER_PROTECTION = 'lower-protection';

export const ENVIRONMENT_KINDS = ['local', 'staging', 'production'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

/** `#rrggbb`: the colour band shown on every screen of an environment. */
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #3b82f6');

/**
 * Connection input. URLs may carry a password: the server moves it into the secret store and
 * never returns or logs it. Redis: `redis://`, `rediss://` (TLS); Cluster and Sentinel as the
 * store documents them (the URL is passed to the store as is). PostgreSQL: `postgres://…?sslmode=…`.
 */
export const connectionInput = z
  .object({
    sqlite: z.object({ path: z.string().min(1).max(4096) }).optional(),
    postgres: z.object({ url: z.string().min(1).max(4096) }).optional(),
    redis: z.object({ url: z.string().min(1).max(4096) }).optional(),
  })
  .refine((c) => c.sqlite !== undefined || c.postgres !== undefined, {
    message: 'needs a SQLite file or a PostgreSQL URL (Redis alone is only a cache)',
  });
export type ConnectionInput = z.infer<typeof connectionInput>;

/** What the console shows of a connection: never a password. */
export interface ConnectionSummary {
  sqlite?: { path: string };
  postgres?: {
    /** URL with the password removed. */
    url: string;
    host: string;
    port: number | null;
    database: string;
    user: string | null;
    sslmode: string | null;
  };
  redis?: {
    /** URL with the password removed. */
    url: string;
    tls: boolean;
    /** 'standalone' unless the URL says cluster or sentinel. */
    topology: 'standalone' | 'cluster' | 'sentinel';
    /** host:port of each seed (the first with its /db); sentinels for a Sentinel setup. */
    hosts: string[];
    user: string | null;
    /** The master's name, for a Sentinel setup. */
    masterName?: string;
  };
}

export interface EnvironmentView {
  id: string;
  name: string;
  kind: EnvironmentKind;
  color: string;
  /** Writes refused by the server; production defaults to true. */
  readOnly: boolean;
  /** Production: message content masked unless a call passes `reveal: true`. */
  masked: boolean;
  connection: ConnectionSummary;
  /** A password exists for this environment (saved, or held for this session only). */
  hasSecret: boolean;
  /** 'saved': encrypted on disk; 'session': held in memory until the console stops (no secure store). */
  secret: 'none' | 'saved' | 'session';
  /** The built-in demo environment created on first run. */
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
  /** Set on an offline copy: a local, read-only SQLite snapshot of another environment. */
  offlineCopyOf?: OfflineCopyOf;
}

/** Where an offline copy came from. */
export interface OfflineCopyOf {
  environmentId: string;
  /** The source's name when the copy was saved (it stays readable if the source is renamed or removed). */
  environmentName: string;
  savedAt: string;
  /** Content was masked on the way into the copy. */
  masked: boolean;
  /** Conversations the copy holds. */
  conversations: number;
}

export interface OfflineSaveResult {
  environment: EnvironmentView;
  conversations: number;
  events: number;
  masked: boolean;
}

export const DEFAULT_OFFLINE_LIMIT = 200;
export const MAX_OFFLINE_LIMIT = 2000;

export interface SecurityStatus {
  secretStorage: 'os-keychain' | 'key-file' | 'none';
  canSavePasswords: boolean;
  /** Why passwords can't be saved (e.g. Linux without a keyring: safeStorage falls back to a fixed key). */
  reason?: string;
  /** The loopback address the server listens on (a random 127.x.y.z per launch, or 127.0.0.1). */
  host: string;
}

export interface EnvironmentTestResult {
  ok: boolean;
  status: HealthStatus;
  backends: Partial<Record<BackendName, BackendHealth & { message: string }>>;
  /** One sentence a person can act on ("PostgreSQL refused the connection at db:5432 …"). */
  message: string;
}

const conversationRef = z.object({ environmentId, conversationId: id });
/** Production content is masked unless the caller reveals it (a deliberate UI action). */
const reveal = z.boolean().optional();

// ---------------------------------------------------------------------------------------------
// Outputs that are not store types
// ---------------------------------------------------------------------------------------------

/** Set on results from masked environments: content was replaced server-side. */
export interface Masking {
  masked: boolean;
}

export interface ConversationListItem extends ConversationInfo {
  /** Only computed when the `cached` filter is used (null: no cache tier configured). */
  cached?: boolean | null;
}

export interface ConversationListResult extends Masking {
  items: ConversationListItem[];
  nextCursor?: string;
  /** Rows the server looked at to fill this page (filters on time and cache scan pages). */
  scanned: number;
}

export interface TailResult extends Masking {
  /** Messages still queued in a fallback outbox come last, with version null. */
  messages: TailMessage[];
  source: TailSource;
  ms: number;
}

export interface LiveStatsPayload {
  environmentId: string;
  at: string;
  mode: StoreMode;
  /** This console's own store instance. */
  local: StoreStats;
  /** What live store instances published to Redis (hybrid mode; empty otherwise). */
  instances: InstanceStats[];
  /** Redis INFO: the server's view, not the store's hit ratio. */
  server: RedisServerInfo | null;
  /** Why `server` (or `instances`) could not be read this time, in words; null when all went well. */
  serverError: string | null;
  /**
   * A health check of the environment's backends now (a round trip to each, bounded at 2 s): a
   * hung server shows here even while no traffic has tripped a breaker. Null if it failed.
   */
  health: HealthReport | null;
  traffic: TrafficStatus;
}

export interface TrafficStatus {
  running: boolean;
  ratePerSecond: number;
  /** ISO time the run ends (or ended); null when never started. */
  endsAt: string | null;
  turns: number;
  errors: number;
}

export interface PlaygroundTurn {
  conversationId: string;
  /** Version null when the store's fallback outbox queued the append. */
  user: TailMessage;
  assistant: TailMessage;
  history: { source: TailSource; count: number; ms: number };
  timings: { historyMs: number; responderMs: number; appendMs: number; totalMs: number };
  responder: 'scripted' | 'openai';
}

export interface ImportResult {
  conversationId: string;
  version: number;
  /** Events replayed into the target (conversation.started is implied by the first append). */
  events: number;
  masked: boolean;
}

// ---------------------------------------------------------------------------------------------
// Method schemas
// ---------------------------------------------------------------------------------------------

export const MAX_TRAFFIC_RATE = 200;
export const MAX_TRAFFIC_SECONDS = 300;

export const responderInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scripted') }),
  z.object({
    kind: z.literal('openai'),
    /** e.g. http://127.0.0.1:11434/v1 — called by the server, never by the renderer. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    model: z.string().min(1).max(200),
    /** Held only for this request: never stored, never logged. */
    apiKey: z.string().max(4096).optional(),
    /** Milliseconds; default 30 000. */
    timeoutMs: z.number().int().min(1000).max(120_000).optional(),
  }),
]);
export type ResponderInput = z.infer<typeof responderInput>;

export const consoleSchemas = {
  'security.status': z.object({}),

  'environments.list': z.object({}),
  'environments.create': z.object({
    name: z.string().trim().min(1).max(80),
    kind: z.enum(ENVIRONMENT_KINDS),
    color: color.optional(),
    /** Default: true for production, false otherwise. */
    readOnly: z.boolean().optional(),
    connection: connectionInput,
  }),
  'environments.update': z.object({
    environmentId,
    name: z.string().trim().min(1).max(80).optional(),
    kind: z.enum(ENVIRONMENT_KINDS).optional(),
    color: color.optional(),
    readOnly: z.boolean().optional(),
    /** Replaces the connection. A URL without a password keeps the saved one unless `clearPasswords`. */
    connection: connectionInput.optional(),
    clearPasswords: z.boolean().optional(),
    /**
     * Required to move an environment away from production or to lift read-only: the user was
     * asked and agreed. Without it such a change is refused with CONFIRMATION_REQUIRED.
     */
    confirm: z.literal(LOWER_PROTECTION).optional(),
  }),
  'environments.remove': z.object({ environmentId }),
  /** Test a saved environment, or a draft connection before saving it. */
  'environments.test': z.union([
    /**
     * A draft connection. With `environmentId` (an edit of a saved environment) a URL that shows
     * `***`, or no secret at all, for the same place is tested with the saved secret.
     */
    z.object({ connection: connectionInput, environmentId: environmentId.optional() }),
    z.object({ environmentId }),
  ]),

  'conversations.list': z.object({
    environmentId,
    search: z.string().max(500).optional(),
    userId: id.optional(),
    /** Inclusive bounds on lastMessageAt. */
    from: isoTime.optional(),
    to: isoTime.optional(),
    cached: z.enum(['any', 'cached', 'uncached']).optional(),
    includeDeleted: z.boolean().optional(),
    cursor: z.string().max(2000).optional(),
    limit: z.number().int().min(1).max(500).optional(),
    reveal,
  }),

  'conversation.get': conversationRef.extend({ reveal }),
  'conversation.tail': conversationRef.extend({ n: z.number().int().min(1).max(1000).optional(), reveal }),
  'conversation.read': conversationRef.extend({
    fromVersion: z.number().int().min(0).optional(),
    toVersion: z.number().int().min(0).optional(),
    direction: z.enum(['forward', 'backward']).optional(),
    limit: z.number().int().min(1).max(5000).optional(),
    reveal,
  }),
  'conversation.stateAt': conversationRef.extend({ version: z.number().int().min(0), reveal }),
  'conversation.rename': conversationRef.extend({ title: z.string().min(1).max(500) }),
  'conversation.redact': conversationRef.extend({
    messageId: id,
    mode: z.enum(['mask', 'purge']),
    reason: z.string().min(1).max(500),
  }),
  'conversation.delete': conversationRef.extend({ hard: z.boolean().optional() }),
  'conversation.export': conversationRef.extend({ reveal }),
  'conversation.import': z.object({
    environmentId,
    /** JSONL of StoredEvents, as `conversation.export` writes it. */
    jsonl: z.string().min(1).max(20 * 1024 * 1024),
    /** Replace message content with placeholder text on the way in (default true). */
    maskContent: z.boolean().optional(),
    /** Import under another id (default: the exported id; refused if it exists). */
    conversationId: id.optional(),
  }),

  /**
   * Copies conversations (a selection, else those matching the filter, newest first) into a new
   * local SQLite file, registered as a read-only local environment. `mask: false` on a masked
   * environment is a reveal: it needs `reveal: true` too.
   */
  'offline.save': z.object({
    environmentId,
    conversationIds: z.array(id).min(1).max(MAX_OFFLINE_LIMIT).optional(),
    filter: z
      .object({ search: z.string().max(500).optional(), userId: id.optional(), from: isoTime.optional(), to: isoTime.optional() })
      .optional(),
    limit: z.number().int().min(1).max(MAX_OFFLINE_LIMIT).optional(),
    mask: z.boolean().optional(),
    reveal,
  }),
  /** The offline copies of an environment, newest first. */
  'offline.list': z.object({ environmentId }),

  'cache.inspect': conversationRef.extend({ reveal }),
  'cache.evict': conversationRef,
  'cache.warm': conversationRef,

  'live.snapshot': z.object({ environmentId }),

  'traffic.start': z.object({
    environmentId,
    ratePerSecond: z.number().int().min(1).max(MAX_TRAFFIC_RATE),
    seconds: z.number().int().min(1).max(MAX_TRAFFIC_SECONDS),
  }),
  'traffic.stop': z.object({ environmentId }),
  'traffic.status': z.object({ environmentId }),

  'playground.send': z.object({
    environmentId,
    /** Omit to start a new conversation. */
    conversationId: id.optional(),
    content: z.string().min(1).max(100_000),
    responder: responderInput,
    /** History length read before replying (default 20). */
    historySize: z.number().int().min(1).max(200).optional(),
  }),
} as const;

export type ConsoleMethod = keyof typeof consoleSchemas;

/** Output type per method. */
export interface ConsoleOutputs {
  'security.status': SecurityStatus;
  'environments.list': EnvironmentView[];
  'environments.create': EnvironmentView;
  'environments.update': EnvironmentView;
  'environments.remove': { removed: true };
  'environments.test': EnvironmentTestResult;
  'conversations.list': ConversationListResult;
  'conversation.get': ConversationInfo & Masking;
  'conversation.tail': TailResult;
  'conversation.read': { events: StoredEvent[]; version: number } & Masking;
  'conversation.stateAt': ConversationState & Masking;
  'conversation.rename': { version: number };
  'conversation.redact': { version: number };
  'conversation.delete': { deleted: true; hard: boolean };
  'conversation.export': { jsonl: string; events: number; fileName: string } & Masking;
  'conversation.import': ImportResult;
  'offline.save': OfflineSaveResult;
  'offline.list': EnvironmentView[];
  'cache.inspect': CacheEntryReport & Masking;
  'cache.evict': { evicted: true };
  'cache.warm': { warmed: true };
  'live.snapshot': LiveStatsPayload;
  'traffic.start': TrafficStatus;
  'traffic.stop': TrafficStatus;
  'traffic.status': TrafficStatus;
  'playground.send': PlaygroundTurn;
}

/** The map the renderer's typed client is derived from: `ConsoleApi['conversation.read']['input']`. */
export type ConsoleApi = {
  [M in ConsoleMethod]: { input: z.input<(typeof consoleSchemas)[M]>; output: ConsoleOutputs[M] };
};
export type ApiInput<M extends ConsoleMethod> = ConsoleApi[M]['input'];
export type ApiOutput<M extends ConsoleMethod> = ConsoleApi[M]['output'];

// ---------------------------------------------------------------------------------------------
// Read-only: an allow-list that fails closed
// ---------------------------------------------------------------------------------------------

/**
 * How each method touches an environment. `console`: the console's own settings (no store);
 * `read`: allowed on read-only environments; anything else — including a method missing here —
 * is a write and is refused on read-only environments.
 */
export const METHOD_ACCESS: { readonly [M in ConsoleMethod]: 'console' | 'read' | 'write' } = {
  'security.status': 'console',
  'environments.list': 'console',
  'environments.create': 'console',
  'environments.update': 'console',
  'environments.remove': 'console',
  'environments.test': 'console',
  'conversations.list': 'read',
  'conversation.get': 'read',
  'conversation.tail': 'read',
  'conversation.read': 'read',
  'conversation.stateAt': 'read',
  'conversation.export': 'read',
  'cache.inspect': 'read',
  // Reads the source; writes only to a new file of the console's own.
  'offline.save': 'read',
  // Lists registry entries: works while the source is unreachable or removed.
  'offline.list': 'console',
  'live.snapshot': 'read',
  'traffic.status': 'read',
  // Stopping a run only ends load this console started.
  'traffic.stop': 'read',
  'conversation.rename': 'write',
  'conversation.redact': 'write',
  'conversation.delete': 'write',
  'conversation.import': 'write',
  'cache.evict': 'write',
  'cache.warm': 'write',
  'traffic.start': 'write',
  'playground.send': 'write',
};

// ---------------------------------------------------------------------------------------------
// Envelope and errors
// ---------------------------------------------------------------------------------------------

export type ConsoleErrorCode =
  | ScrollbackErrorCode
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'READ_ONLY'
  /** The change lowers an environment's protection and the request did not confirm it. */
  | 'CONFIRMATION_REQUIRED'
  /** The call needs masked content revealed first (search on a masked environment). */
  | 'REVEAL_REQUIRED'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'CONNECTION_FAILED'
  | 'INTERNAL';

export interface ApiErrorBody {
  code: ConsoleErrorCode;
  /** Human words, safe to show (never a stack, never a password). */
  message: string;
  /** The offending input field, for VALIDATION. */
  field?: string;
}

export type ApiResponse<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

export type { LiveChannel, LiveClientMessage, LiveServerMessage } from './live-messages.js';
