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

describe('telemetry on a hybrid store', () => {
  it('times PostgreSQL and Redis calls as db.client.operation.duration and counts every tier, agreeing with stats()', async () => {
    const { AggregationTemporality, MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    class ManualReader extends MetricReader {
      constructor() {
        super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
      }
      protected onShutdown(): Promise<void> {
        return Promise.resolve();
      }
      protected onForceFlush(): Promise<void> {
        return Promise.resolve();
      }
    }
    const reader = new ManualReader();
    const meter = new MeterProvider({ readers: [reader] }).getMeter('scrollback-int');
    const traced = await openStore({ postgres: { url: database.url, poolSize: 2 }, redis: { url: inject('redisUrl') }, telemetry: { meter } });
    try {
      const id = newId();
      await traced.append(id, [user('q')]);
      for (let i = 0; i < 3; i++) await traced.tail(id);
      await traced.cache.evict(id);
      await traced.tail(id);
      await traced.tail(id);
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const duration = metrics.find((metric) => metric.descriptor.name === 'db.client.operation.duration');
      const systems = new Set(duration?.dataPoints.map((point) => point.attributes['db.system.name']));
      expect(systems).toEqual(new Set(['postgresql', 'redis']));
      expect(duration?.dataPoints.some((point) => point.attributes['db.system.name'] === 'postgresql' && point.attributes['db.operation.name'] === 'append')).toBe(true);
      const requests = metrics.find((metric) => metric.descriptor.name === 'scrollback.cache.requests');
      const value = (tier: string, outcome: string) =>
        (requests?.dataPoints ?? []).filter((point) => point.attributes.tier === tier && point.attributes.outcome === outcome).reduce((sum, point) => sum + (point.value as number), 0);
      const stats = traced.stats();
      for (const tier of ['l1', 'redis', 'log'] as const) {
        const figures = stats.tiers[tier];
        expect(figures).toBeDefined();
        expect(value(tier, 'hit')).toBe(figures?.hits);
        expect(value(tier, 'miss')).toBe(figures?.misses);
        expect(value(tier, 'error')).toBe(figures?.errors);
      }
      expect((stats.tiers.l1?.hits ?? 0) + (stats.tiers.redis?.hits ?? 0)).toBeGreaterThan(0);
    } finally {
      await traced.close();
    }
  });
});

describe('health handler against unreachable servers', () => {
  it('Redis unreachable: 200 degraded; PostgreSQL unreachable: 503 down; no URL or password in the answer', async () => {
    const degraded = await openStore({ postgres: { url: database.url, poolSize: 2 }, redis: { url: 'redis://:redispass@127.0.0.1:1', commandTimeoutMs: 100 } });
    // Read-only skips migrations, so the store opens without a server to migrate.
    const down = await openStore({ postgres: { url: 'postgres://scroll:pgpass@127.0.0.1:1/none', connectTimeoutMs: 200 }, readOnly: true });
    try {
      const first = await nodeServer(createHealthHandler(degraded));
      const second = await nodeServer(createHealthHandler(down));
      running.push(first, second);
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'degraded' });
      const detail = await (await fetch(`${first.url}/health/detailed`)).text();
      expect(JSON.parse(detail)).toMatchObject({ status: 'degraded', backends: { postgres: { status: 'up' }, redis: { status: 'down' } } });
      expect(detail).not.toContain('redispass');
      const gone = await fetch(`${second.url}/health`);
      expect(gone.status).toBe(503);
      expect(await gone.json()).toEqual({ status: 'down' });
      const goneDetail = await fetch(`${second.url}/health/detailed`);
      expect(goneDetail.status).toBe(503);
      const text = await goneDetail.text();
      expect(text).not.toContain('pgpass');
      expect(text).not.toContain('127.0.0.1:1');
      expect(JSON.parse(text)).toMatchObject({ status: 'down', backends: { postgres: { status: 'down' } } });
    } finally {
      await Promise.all([degraded.close(), down.close()]);
    }
  });
});
