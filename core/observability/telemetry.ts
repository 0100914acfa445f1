/**
 * OpenTelemetry for the store: the instruments built from a `TelemetryMeter`, and spans around the
 * store's calls from a `TelemetryTracer`. Attributes carry ids, names and error types only, never
 * message content.
 */
import type { Outcome, TierName } from '../metrics/stats-recorder.js';
import type { ConversationStore } from '../store/types.js';
import type { TelemetryAttributes, TelemetryCounter, TelemetryHistogram, TelemetryMeter, TelemetryOptions, TelemetryTracer } from './telemetry-types.js';

/** OpenTelemetry's `db.system.name` values for the backends. */
export type DbSystem = 'postgresql' | 'redis' | 'sqlite';

export const dbSystemOf = (backend: 'postgres' | 'sqlite' | 'redis'): DbSystem => (backend === 'postgres' ? 'postgresql' : backend);

/** Where the store reports to: each call is synchronous and cheap. */
export interface TelemetrySink {
  /** One lookup in a cache tier (or the log), as `stats()` counts it. */
  tier(tier: TierName, outcome: Outcome, ms: number): void;
  /** One call to a backend, with its duration; `errorType` when it failed. */
  backendCall(system: DbSystem, operation: string, seconds: number, errorType?: string): void;
}

// The semantic conventions' advice for db.client.operation.duration, in seconds.
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** A low-cardinality name for a failure: the store's stable error code, else the error class. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code.length > 0 && code.length <= 64 ? code : error.name;
  }
  return '_OTHER';
}

/** The sink behind `telemetry.meter`: a duration histogram per backend call, a counter per tier lookup. */
export function meterSink(meter: TelemetryMeter): TelemetrySink {
  const duration: TelemetryHistogram = meter.createHistogram('db.client.operation.duration', {
    description: 'Duration of database client operations.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const requests: TelemetryCounter = meter.createCounter('scrollback.cache.requests', {
    description: 'Lookups per tier (l1, redis, log) by outcome (hit, miss, error).',
    unit: '{request}',
  });
  return {
    tier(tier, outcome, ms) {
      requests.add(1, { tier, outcome });
      // A Redis lookup is one Redis round trip; an error the cache recorded without timing it
      // (0 ms: skipped while the breaker is open, or a write-through) is no call duration.
      if (tier === 'redis' && ms > 0) {
        duration.record(ms / 1000, { 'db.system.name': 'redis', 'db.operation.name': 'tail', ...(outcome === 'error' ? { 'error.type': 'redis_error' } : {}) });
      }
    },
    backendCall(system, operation, seconds, errorType) {
      const attributes: TelemetryAttributes = { 'db.system.name': system, 'db.operation.name': operation };
      if (errorType !== undefined) attributes['error.type'] = errorType;
      duration.record(seconds, attributes);
    },
  };
}

export function telemetrySink(options: TelemetryOptions | undefined): TelemetrySink | null {
  return options?.meter === undefined ? null : meterSink(options.meter);
}

/** Store calls whose first argument is a conversation id; each gets a span carrying it. */
const CONVERSATION_CALLS = new Set([
  'append',
  'tail',
  'tailWithSource',
  'read',
  'getConversation',
  'stateAt',
  'rename',
  'redact',
  'revise',
  'retract',
  'setMetadata',
  'deleteConversation',
]);
const OTHER_CALLS = new Set(['listConversations']);

/**
 * The store with a span around each call (`scrollback.append`, `scrollback.tail`, …) carrying
 * `gen_ai.conversation.id`; a failed call's span has status ERROR and `error.type`. Spans are
 * active for the call, so backend instrumentation (pg, ioredis) nests under them.
 */
export function traceStore(store: ConversationStore, tracer: TelemetryTracer): ConversationStore {
  const wrapped = new Map<string, unknown>();
  const wrap = (name: string, call: (...args: unknown[]) => Promise<unknown>): ((...args: unknown[]) => Promise<unknown>) =>
    (...args) => {
      const id = args[0];
      const attributes: TelemetryAttributes = CONVERSATION_CALLS.has(name) && typeof id === 'string' ? { 'gen_ai.conversation.id': id } : {};
      return tracer.startActiveSpan(`scrollback.${name}`, { attributes }, async (span) => {
        try {
          return await call(...args);
        } catch (error) {
          const type = errorTypeOf(error);
          span.setAttribute('error.type', type);
          span.setStatus({ code: 2, message: type });
          throw error;
        } finally {
          span.end();
        }
      });
    };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !(CONVERSATION_CALLS.has(property) || OTHER_CALLS.has(property))) return value;
      let traced = wrapped.get(property);
      if (traced === undefined) {
        traced = wrap(property, (...args) => (value as (...args: unknown[]) => Promise<unknown>).apply(target, args));
        wrapped.set(property, traced);
      }
      return traced;
    },
  });
}
