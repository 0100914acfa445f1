/**
 * Scrollback's public API. Everything a chat backend or the console uses is listed here by name;
 * nothing else in `core/` is part of the contract.
 */

/** Opens a store from a config object, else from the environment. */
export { openStore } from './store/open-store.js';

/** Store configuration, and how the environment maps onto it. */
export { configFromEnvironment, type StoreConfig } from './store/config.js';

/** The store interface and the shapes of its health, cache and subscription calls. */
export type {
  BackendHealth,
  BackendName,
  CacheApi,
  CacheComparedField,
  CacheDifference,
  CacheEntryReport,
  CacheVerdict,
  ConversationStore,
  EventsHandler,
  HealthReport,
  HealthStatus,
  StoreMode,
  SubscribeFrom,
  TailSource,
  Unsubscribe,
} from './store/types.js';

/**
 * The event model and the shapes the API takes and returns. `MessagePart` is one structured part
 * of a message (stored as given); `RevisionInput` is what `revise` takes; `IdempotentWriteOptions`
 * carries the caller's event id that makes `revise`, `retract` and `setMetadata` safe to retry;
 * `MetadataPatch` is what `setMetadata` takes (`null` removes a key).
 */
export type {
  AppendOptions,
  AppendResult,
  ConversationInfo,
  ConversationState,
  ConversationStatus,
  DeleteOptions,
  EventDataMap,
  EventMetadata,
  EventType,
  ExpectedVersion,
  IdempotentWriteOptions,
  JsonObject,
  JsonValue,
  ListOptions,
  LoggedAppendResult,
  ListResult,
  Message,
  MessageInput,
  MessagePart,
  MetadataPatch,
  QueuedAppendResult,
  QueuedMessage,
  ReadOptions,
  ReadResult,
  RedactOptions,
  RedactionMode,
  RevisionInput,
  Role,
  StoredEvent,
  TailMessage,
  WriteOptions,
  WriteResult,
} from './events/types.js';

/**
 * The fallback outbox ('hybrid+fallback' mode): `store.fallback` (its dead letters) and
 * `stats().fallback` (its figures).
 */
export type { DeadLetter, FallbackApi, FallbackStats } from './fallback/types.js';

/** The event types and roles, as values (for validation and UIs). */
export { EVENT_TYPES, ROLES } from './events/types.js';

/** Input limits and their defaults. */
export { DEFAULT_LIMITS, type Limits } from './events/limits.js';

/** What a cache script did; what Redis holds for a conversation. */
export type { CacheEntry, CacheInspection, ScriptOutcome } from './cache/conversation-cache.js';

/** Metrics as `stats()` returns them and instances publish them. */
export type { InstanceStats, LatencySummary, RedisServerInfo, StoreStats, TierStats } from './metrics/types.js';

/**
 * HTTP handlers for node:http (`createServer(handler)`) and Express (`app.use(handler)`); for
 * Fastify, `fastify.get(path, fastifyRoute(handler))`. `createHealthHandler(store)` answers
 * `GET /health` (200 up or degraded, 503 down) and `/health/detailed` (status, backends, stats;
 * never content or secrets). `createMetricsHandler(store, { registry? })` answers `GET /metrics` in
 * the Prometheus text format, or registers the same figures in a prom-client `Registry`.
 */
export { createHealthHandler, type DetailedBackend, type DetailedHealth, type HealthHandlerOptions } from './observability/health-handler.js';
export { createMetricsHandler, type MetricsHandlerOptions, type PromMetricLike, type PromRegistryLike } from './observability/metrics-handler.js';
export { fastifyRoute, type FastifyLikeReply, type FastifyLikeRequest, type RequestHandler } from './observability/http.js';

/**
 * What `openStore({ telemetry })` takes: an OpenTelemetry `Meter` and/or `Tracer` from
 * `@opentelemetry/api`, typed by shape so the package compiles without it installed.
 */
export type {
  TelemetryAttributes,
  TelemetryCounter,
  TelemetryHistogram,
  TelemetryInstrumentOptions,
  TelemetryMeter,
  TelemetryOptions,
  TelemetrySpan,
  TelemetryTracer,
} from './observability/telemetry-types.js';

/** The logger interface a store accepts in its config. */
export type { Logger } from './logging/logger.js';

/** Errors: one base class with a stable `code` and the driver error as `cause`. */
export {
  BackendUnavailableError,
  ConversationDeletedError,
  ConversationNotFoundError,
  IdempotencyConflictError,
  isScrollbackError,
  MissingDependencyError,
  ReadOnlyError,
  ScrollbackError,
  ValidationError,
  VersionConflictError,
  type ScrollbackErrorCode,
} from './errors/errors.js';

/** Replay: fold events into a conversation's state (what `stateAt` does, for events you hold). */
export { emptyState, foldEvents, messageFromEvent } from './events/fold.js';
