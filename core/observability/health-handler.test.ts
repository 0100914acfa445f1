import { afterEach, describe, expect, it } from 'vitest';
import { useMemoryStores } from '../testing/memory-stores.js';
import { newId, user } from '../testing/contract/target.js';
import type { ConversationStore } from '../store/types.js';
import { createHealthHandler } from './health-handler.js';
import { expressServer, fastifyServer, nodeServer, type Running } from './test-support.js';

const openMemoryStore = useMemoryStores();
const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

type Mount = (store: Pick<ConversationStore, 'health' | 'stats'>) => Promise<Running>;
const mounts: Record<string, Mount> = {
  'node:http': (store) => nodeServer(createHealthHandler(store)),
  Express: (store) => expressServer(createHealthHandler(store)),
  Fastify: (store) => {
    const handler = createHealthHandler(store);
    return fastifyServer({ '/health': handler, '/health/detailed': handler });
  },
};

async function start(mount: Mount, store: Pick<ConversationStore, 'health' | 'stats'>): Promise<string> {
  const server = await mount(store);
  running.push(server);
  return server.url;
}

/** A store whose log cannot be reached, as `health()` reports it. */
function downStore(real: ConversationStore): Pick<ConversationStore, 'health' | 'stats'> {
  return {
    health: async () => ({ status: 'down', backends: { postgres: { status: 'down', latencyMs: 1800, error: 'connect ECONNREFUSED secret-host' } } }),
    stats: () => real.stats(),
  };
}

describe.each(Object.entries(mounts))('createHealthHandler on %s', (_name, mount) => {
  it('GET /health answers 200 {"status":"up"} as JSON, uncached; HEAD the same without a body', async () => {
    const url = await start(mount, await openMemoryStore());
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'up' });
    const head = await fetch(`${url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('GET /health/detailed carries status, backends and the stats of that moment, and no content', async () => {
    const store = await openMemoryStore();
    const id = newId();
    await store.append(id, [user('a private sentence')]);
    await store.tail(id);
    const url = await start(mount, store);
    const response = await fetch(`${url}/health/detailed`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('private sentence');
    expect(text).not.toContain(id);
    const body = JSON.parse(text) as { status: string; backends: Record<string, { status: string; latencyMs: number }>; stats: ReturnType<ConversationStore['stats']> };
    expect(body.status).toBe('up');
    expect(body.backends.sqlite?.status).toBe('up');
    expect(body.backends.sqlite?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.stats).toEqual(store.stats());
    expect(body.stats.appends).toBe(1);
  });

  it('answers 503 {"status":"down"} when the store is down, and keeps probe error texts out of the detail', async () => {
    const url = await start(mount, downStore(await openMemoryStore()));
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'down' });
    const detail = await fetch(`${url}/health/detailed`);
    expect(detail.status).toBe(503);
    const text = await detail.text();
    expect(text).not.toContain('secret-host');
    expect(JSON.parse(text)).toMatchObject({ status: 'down', backends: { postgres: { status: 'down' } } });
  });
});

describe('createHealthHandler routing', () => {
  it('standalone, other paths get 404 and other methods 405 with Allow', async () => {
    const url = await start(mounts['node:http']!, await openMemoryStore());
    expect((await fetch(`${url}/health/other`)).status).toBe(404);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${url}/health?verbose=1`)).status).toBe(200);
    const post = await fetch(`${url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('under Express, paths it does not own go on to the next middleware and the app keeps its routes', async () => {
    const url = await start(mounts.Express!, await openMemoryStore());
    const other = await fetch(`${url}/health/other`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('express 404');
    expect(await (await fetch(`${url}/app`)).text()).toBe('app route');
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('a degraded store still answers 200', async () => {
    const real = await openMemoryStore();
    const url = await start(mounts['node:http']!, {
      health: async () => ({ status: 'degraded', backends: { postgres: { status: 'up', latencyMs: 1 }, redis: { status: 'down', latencyMs: 1800 } } }),
      stats: () => real.stats(),
    });
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'degraded' });
  });
});
