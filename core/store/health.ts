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

/** The log down → `down`; only the cache down → `degraded`. */
export async function checkHealth(log: { name: 'postgres' | 'sqlite'; probe: Probe }, cache: Probe | null): Promise<HealthReport> {
  const [logHealth, cacheHealth] = await Promise.all([probe(log.probe), cache === null ? Promise.resolve(null) : probe(cache)]);
  const backends: Partial<Record<BackendName, BackendHealth>> = { [log.name]: logHealth };
  if (cacheHealth !== null) backends.redis = cacheHealth;
  const status = logHealth.status === 'down' ? 'down' : cacheHealth !== null && cacheHealth.status !== 'up' ? 'degraded' : 'up';
  return { status, backends };
}
