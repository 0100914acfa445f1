import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { useMemoryStores } from '../testing/memory-stores.js';
import { newId, user, assistant } from '../testing/contract/target.js';
import type { ConversationStore } from '../store/types.js';
import { createMetricsHandler, type MetricsHandlerOptions } from './metrics-handler.js';
import { expectAgrees, expressServer, fastifyServer, nodeServer, parseExposition, sampleValue, type Running } from './test-support.js';

const openMemoryStore = useMemoryStores();
const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function busyStore(): Promise<ConversationStore> {
  const store = await openMemoryStore();
  for (let i = 0; i < 3; i++) {
    const id = newId();
    await store.append(id, [user(`q${i}`), assistant(`a${i}`)]);
    await store.tail(id);
    await store.tail(id, 1);
  }
  return store;
}

const mounts: Record<string, (store: ConversationStore, options?: MetricsHandlerOptions) => Promise<Running>> = {
  'node:http': (store, options) => nodeServer(createMetricsHandler(store, options)),
  Express: (store, options) => expressServer(createMetricsHandler(store, options)),
  Fastify: (store, options) => fastifyServer({ '/metrics': createMetricsHandler(store, options) }),
};

describe.each(Object.entries(mounts))('createMetricsHandler on %s', (_name, mount) => {
  it('serves the text format with HELP and TYPE for every family, agreeing with stats() at that moment', async () => {
    const store = await busyStore();
    const server = await mount(store);
    running.push(server);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const parsed = parseExposition(await response.text());
    const stats = store.stats();
    expect(stats.tiers.log.hits).toBe(6);
    expect(stats.appends).toBe(3);
    expectAgrees(parsed, stats);
    expect(parsed.types.get('scrollback_cache_requests_total')).toBe('counter');
    expect(parsed.types.get('scrollback_tier_latency_ms')).toBe('gauge');
    expect(parsed.types.get('scrollback_backend_up')).toBe('gauge');
    // An embedded store has no Redis tier, breaker or outbox: those families are absent, not zero.
    expect(parsed.samples.some((sample) => sample.labels.tier === 'redis')).toBe(false);
    expect(parsed.types.has('scrollback_breaker_state')).toBe(false);
    expect(parsed.types.has('scrollback_fallback_queued')).toBe(false);
    // The next scrape sees what happened since.
    await store.append(newId(), [user('more')]);
    const next = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    expect(sampleValue(next, 'scrollback_appends_total')).toBe(4);
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('createMetricsHandler', () => {
  it('standalone, other paths get 404 and POST 405; under Express they go on to next()', async () => {
    const store = await openMemoryStore();
    const plain = await nodeServer(createMetricsHandler(store));
    const withApp = await expressServer(createMetricsHandler(store));
    running.push(plain, withApp);
    expect((await fetch(`${plain.url}/metrics/x`)).status).toBe(404);
    expect((await fetch(`${plain.url}/metrics`, { method: 'POST' })).status).toBe(405);
    expect(await (await fetch(`${withApp.url}/app`)).text()).toBe('app route');
    expect(await (await fetch(`${withApp.url}/other`)).text()).toBe('express 404');
  });

  it('with a prom-client Registry, registers the figures there and serves that registry, the application metrics included', async () => {
    const store = await busyStore();
    const registry = new Registry();
    const mine = new Counter({ name: 'app_requests_total', help: 'the application', registers: [registry] });
    mine.inc(2);
    const server = await nodeServer(createMetricsHandler(store, { registry }));
    running.push(server);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const parsed = parseExposition(text);
    expect(sampleValue(parsed, 'app_requests_total')).toBe(2);
    expectAgrees(parsed, store.stats());
    // The registry serves the same figures to the application's own /metrics route.
    expectAgrees(parseExposition(await registry.metrics()), store.stats());
    expect(() => createMetricsHandler(store, { registry })).toThrow(/already been registered/);
  });

  it('refuses a registry that is not one', async () => {
    const store = await openMemoryStore();
    expect(() => createMetricsHandler(store, { registry: {} as never })).toThrow(/prom-client Registry/);
  });
});
