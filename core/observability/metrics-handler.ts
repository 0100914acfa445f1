/**
 * `createMetricsHandler(store)`: `GET /metrics` in the Prometheus text format, read from
 * `store.stats()` at scrape time. With a prom-client `Registry`, the same figures are registered
 * there as collectors instead, and the handler serves that registry (the application's metrics
 * and the store's in one scrape).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, stderrLogger, type Logger } from '../logging/logger.js';
import type { ConversationStore } from '../store/types.js';
import { ValidationError } from '../errors/errors.js';
import { notFound, pathOf, refuseMethod, send, type RequestHandler } from './http.js';
import { PROMETHEUS_CONTENT_TYPE, formatFamilies, type MetricFamily } from './prometheus-text.js';
import { familiesFromStats } from './store-metrics.js';

/** A prom-client metric as its `Registry` reads it: typed by shape, so prom-client stays optional. */
export interface PromMetricLike {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  aggregator: 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit';
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string>; value: number }[] }>;
  reset(): void;
}

/**
 * The parts of a prom-client `Registry` the handler uses. prom-client's types accept only its own
 * metric classes, while its registry reads any object of `PromMetricLike`'s shape (it calls `get()`
 * at scrape time): hence `never` here, and one cast where the store registers its collectors.
 */
export interface PromRegistryLike {
  registerMetric(metric: never): void;
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsHandlerOptions {
  /** A prom-client `Registry` to register the store's metrics in (each name once per registry). */
  registry?: PromRegistryLike;
  /** Where a failing scrape is reported (default: JSON lines on stderr). */
  logger?: Logger;
}

function isRegistry(value: unknown): value is PromRegistryLike {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record.registerMetric === 'function' && typeof record.metrics === 'function';
}

/**
 * Registers one collector per family. prom-client asks each metric separately, so the families
 * of one scrape are read from one `stats()` call, shared by the collectors for the same tick.
 */
function registerCollectors(store: Pick<ConversationStore, 'stats'>, registry: PromRegistryLike): void {
  let shared: Promise<MetricFamily[]> | null = null;
  const current = (): Promise<MetricFamily[]> => {
    if (shared === null) {
      shared = Promise.resolve(familiesFromStats(store.stats()));
      queueMicrotask(() => {
        shared = null;
      });
    }
    return shared;
  };
  // Every family the store can report, so the names are registered up front, even while absent.
  const names = familiesFromStats({
    tiers: { log: { hits: 0, misses: 0, errors: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } } },
    cacheScripts: { ok: 0, duplicate: 0, cold: 0, gap: 0, fenced: 0 },
    backends: { redis: { status: 'up', breaker: 'closed', breakerOpened: 0 } },
    appends: 0,
    fallback: { queued: 0, drained: 0, deadLettered: 0, oldestQueuedAt: new Date(0).toISOString() },
  });
  const register = (metric: PromMetricLike): void => (registry.registerMetric as (metric: PromMetricLike) => void).call(registry, metric);
  for (const template of names) {
    register({
      name: template.name,
      help: template.help,
      type: template.type,
      aggregator: 'sum',
      get: async () => {
        const family = (await current()).find((candidate) => candidate.name === template.name);
        return {
          name: template.name,
          help: template.help,
          type: template.type,
          aggregator: 'sum',
          values: (family?.samples ?? []).map((sample) => ({ labels: { ...sample.labels }, value: sample.value })),
        };
      },
      // The figures belong to the store; a registry reset cannot zero them.
      reset: () => undefined,
    });
  }
}

/**
 * Answers `GET`/`HEAD` `/metrics` (Prometheus text, version 0.0.4). Other paths: 404, or `next()`
 * when given one (Express). Mount like `createHealthHandler`; for Fastify, `fastifyRoute`.
 */
export function createMetricsHandler(store: Pick<ConversationStore, 'stats'>, options: MetricsHandlerOptions = {}): RequestHandler {
  const logger = options.logger ?? stderrLogger;
  const { registry } = options;
  if (registry !== undefined && !isRegistry(registry)) throw new ValidationError('registry', 'must be a prom-client Registry');
  if (registry !== undefined) registerCollectors(store, registry);

  const render = async (): Promise<{ type: string; body: string }> =>
    registry === undefined
      ? { type: PROMETHEUS_CONTENT_TYPE, body: formatFamilies(familiesFromStats(store.stats())) }
      : { type: registry.contentType, body: await registry.metrics() };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const { type, body } = await render();
      send(req, res, 200, type, body);
    } catch (error) {
      logger.error('metrics scrape failed', describeError(error));
      send(req, res, 500, 'text/plain; charset=utf-8', 'metrics unavailable\n');
    }
  };

  return (req, res, next) => {
    if (pathOf(req) !== '/metrics') {
      if (next !== undefined) next();
      else notFound(req, res);
      return;
    }
    if (refuseMethod(req, res)) return;
    void answer(req, res);
  };
}
