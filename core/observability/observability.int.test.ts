/**
 * Hybrid mode (PostgreSQL + Redis, with L1): `/metrics` carries every tier, the cache scripts and
 * the breaker, agreeing with `stats()`; `/health/detailed` names both backends.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../testing/test-database.js';
import { newId, user, assistant } from '../testing/contract/target.js';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { createHealthHandler } from './health-handler.js';
import { createMetricsHandler } from './metrics-handler.js';
import { expectAgrees, expressServer, nodeServer, parseExposition, sampleValue, type Running } from './test-support.js';

let database: { url: string; drop(): Promise<void> };
let store: ConversationStore;
const running: Running[] = [];

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
  store = await openStore({ postgres: { url: database.url, poolSize: 4 }, redis: { url: inject('redisUrl') } });
});
afterAll(async () => {
  await Promise.all(running.map((server) => server.close()));
  await store.close();
  await database.drop();
});

describe('observability handlers on a hybrid store', () => {
  it('/metrics has l1, redis and log tiers, script outcomes and the Redis breaker, as stats() reports them', async () => {
    for (let i = 0; i < 4; i++) {
      const id = newId();
      await store.append(id, [user(`q${i}`)]);
      await store.tail(id); // the log answers and fills the cache
      await store.append(id, [assistant(`a${i}`)]); // written through by the cache script
      await store.tail(id);
      await store.tail(id);
    }
    const plain = await nodeServer(createMetricsHandler(store));
    const app = await expressServer(createMetricsHandler(store));
    running.push(plain, app);
    for (const server of [plain, app]) {
      const parsed = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
      const stats = store.stats();
      expectAgrees(parsed, stats);
      expect(sampleValue(parsed, 'scrollback_cache_requests_total', { tier: 'log', outcome: 'miss' })).toBe(stats.tiers.log.misses);
      expect(sampleValue(parsed, 'scrollback_backend_up', { backend: 'redis' })).toBe(1);
      expect(sampleValue(parsed, 'scrollback_backend_up', { backend: 'postgres' })).toBe(1);
      expect(sampleValue(parsed, 'scrollback_breaker_state', { backend: 'redis', state: 'closed' })).toBe(1);
      expect(sampleValue(parsed, 'scrollback_breaker_state', { backend: 'redis', state: 'open' })).toBe(0);
      expect(sampleValue(parsed, 'scrollback_cache_script_outcomes_total', { outcome: 'ok' })).toBe(stats.cacheScripts.ok);
      expect(stats.cacheScripts.ok).toBeGreaterThan(0);
      const cacheHits = (stats.tiers.l1?.hits ?? 0) + (stats.tiers.redis?.hits ?? 0);
      expect(cacheHits).toBeGreaterThan(0);
    }
  });

  it('/health and /health/detailed report PostgreSQL and Redis up', async () => {
    const server = await nodeServer(createHealthHandler(store));
    running.push(server);
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'up' });
    const detail = (await (await fetch(`${server.url}/health/detailed`)).json()) as { backends: Record<string, { status: string; breaker?: string }> };
    expect(detail.backends.postgres?.status).toBe('up');
    expect(detail.backends.redis).toMatchObject({ status: 'up', breaker: 'closed' });
  });
});
