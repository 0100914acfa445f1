/**
 * `createHealthHandler(store)`: `GET /health` for load balancers and orchestrators (200 while the
 * store can serve, 503 when it cannot) and `GET /health/detailed` for people (backends and stats).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, stderrLogger, type Logger } from '../logging/logger.js';
import type { StoreStats } from '../metrics/types.js';
import type { BackendName, ConversationStore, HealthReport, HealthStatus } from '../store/types.js';
import { notFound, pathOf, refuseMethod, send, type RequestHandler } from './http.js';

export interface HealthHandlerOptions {
  /** Where a failing `health()` call is reported (default: JSON lines on stderr). */
  logger?: Logger;
}

/** One backend in `/health/detailed`: the probe's answer, and for Redis the circuit breaker. */
export interface DetailedBackend {
  status: HealthStatus;
  latencyMs: number;
  breaker?: 'closed' | 'open' | 'half-open';
  breakerOpened?: number;
}

/** The body of `/health/detailed`. Figures and states only: no message content, no URLs, no error texts. */
export interface DetailedHealth {
  status: HealthStatus;
  backends: Partial<Record<BackendName, DetailedBackend>>;
  stats: StoreStats;
}

const JSON_TYPE = 'application/json; charset=utf-8';

// `degraded` still serves (the cache or the log is down, and the other tier or the outbox answers).
const httpStatus = (status: HealthStatus): number => (status === 'down' ? 503 : 200);

function detailed(report: HealthReport, stats: StoreStats): DetailedHealth {
  const backends: Partial<Record<BackendName, DetailedBackend>> = {};
  for (const [name, health] of Object.entries(report.backends) as [BackendName, HealthReport['backends'][BackendName]][]) {
    if (health === undefined) continue;
    const state = stats.backends[name];
    // Probe error texts come from drivers and may name hosts or users: they stay out of the answer.
    backends[name] = {
      status: health.status,
      latencyMs: Math.round(health.latencyMs * 1000) / 1000,
      ...(state?.breaker !== undefined ? { breaker: state.breaker } : {}),
      ...(state?.breakerOpened !== undefined ? { breakerOpened: state.breakerOpened } : {}),
    };
  }
  return { status: report.status, backends, stats };
}

/**
 * Answers `GET`/`HEAD` `/health` (`{"status":"up"|"degraded"}` with 200, `{"status":"down"}` with
 * 503) and `/health/detailed` (`{ status, backends, stats }`, same status codes). Other paths: 404,
 * or `next()` when given one (Express). `health()` answers within 2 s, so the probe does too.
 */
export function createHealthHandler(store: Pick<ConversationStore, 'health' | 'stats'>, options: HealthHandlerOptions = {}): RequestHandler {
  const logger = options.logger ?? stderrLogger;
  const answer = async (req: IncomingMessage, res: ServerResponse, withDetail: boolean): Promise<void> => {
    let report: HealthReport;
    try {
      report = await store.health();
    } catch (error) {
      // health() should never reject; if it does, the store cannot vouch for itself: down.
      logger.error('health check failed', describeError(error));
      report = { status: 'down', backends: {} };
    }
    const body = withDetail ? detailed(report, store.stats()) : { status: report.status };
    send(req, res, httpStatus(report.status), JSON_TYPE, JSON.stringify(body));
  };
  return (req, res, next) => {
    const path = pathOf(req);
    if (path !== '/health' && path !== '/health/detailed') {
      if (next !== undefined) next();
      else notFound(req, res);
      return;
    }
    if (refuseMethod(req, res)) return;
    answer(req, res, path === '/health/detailed').catch((error: unknown) => logger.error('health answer failed', describeError(error)));
  };
}
