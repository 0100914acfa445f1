/** `health()`: a bounded round trip to each backend; answers within 2 s even when a server hangs. */
import { describeError } from '../logging/logger.js';
import type { BackendHealth, BackendName, HealthReport } from './types.js';

const BUDGET_MS = 1800;

export type Probe = () => Promise<void>;

async function probe(check: Probe): Promise<BackendHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${BUDGET_MS} ms`)), BUDGET_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'up', latencyMs: performance.now() - started };
  } catch (error) {
    const described = describeError(error);
    return { status: 'down', latencyMs: performance.now() - started, error: String(described.detail ?? described.error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The log down → `down`, unless a fallback outbox (SQLite) takes the writes: then `degraded`, as
 * when only the cache is down.
 */
export async function checkHealth(
  log: { name: 'postgres' | 'sqlite'; probe: Probe },
  cache: Probe | null,
  fallback: Probe | null = null,
): Promise<HealthReport> {
  const optional = (check: Probe | null) => (check === null ? Promise.resolve(null) : probe(check));
  const [logHealth, cacheHealth, fallbackHealth] = await Promise.all([probe(log.probe), optional(cache), optional(fallback)]);
  const backends: Partial<Record<BackendName, BackendHealth>> = { [log.name]: logHealth };
  if (cacheHealth !== null) backends.redis = cacheHealth;
  if (fallbackHealth !== null) backends.sqlite = fallbackHealth;
  const fallbackUp = fallbackHealth?.status === 'up';
  const status =
    logHealth.status === 'down'
      ? fallbackUp
        ? 'degraded'
        : 'down'
      : (cacheHealth !== null && cacheHealth.status !== 'up') || (fallbackHealth !== null && !fallbackUp)
        ? 'degraded'
        : 'up';
  return { status, backends };
}
