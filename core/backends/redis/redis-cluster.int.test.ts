import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../events/types.js';
import { startRedisServer, type RedisServer } from '../../testing/servers/redis-server.js';
import { createRedisCache, type RedisCache } from './redis-cache.js';
import { createRedisClient, whenReady, type RedisClient } from './redis-client.js';

// A one-node Cluster owning every slot. Cluster mode rejects a script whose keys hash to
// different slots (CROSSSLOT) even on one node, so this shows the key layout is Cluster-safe,
// and that redis+cluster:// URLs produce a working client.
let server: RedisServer;
let client: RedisClient | undefined;
let cache: RedisCache;

beforeAll(async () => {
  // Without an announced address a lone node reports an empty host in CLUSTER SLOTS.
  server = await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1'] });
  const admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await admin.connect();
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  await vi.waitFor(async () => expect(await admin.call('CLUSTER', 'INFO')).toMatch(/cluster_state:ok/), {
    timeout: 10_000,
    interval: 50,
  });
  admin.disconnect();
  client = createRedisClient(`redis+cluster://127.0.0.1:${server.port}`, { onError: () => undefined });
  await whenReady(client, 5_000);
  cache = createRedisCache({ client, maxMessages: 3, ttlSeconds: 60 });
});

afterAll(async () => {
  await cache?.close();
  client?.disconnect();
  await server?.stop();
});

function message(conversationId: string, version: number): Message {
  return {
    id: randomUUID(),
    conversationId,
    version,
    role: 'user',
    content: `v${version}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    metadata: {},
    redacted: false,
  };
}

describe('cache scripts on Redis Cluster', () => {
  it.each(['plain', 'a}b', '{x}', '}{', 'a:b', 'ünï cödé 💬'])('run for id %j without CROSSSLOT', async (raw) => {
    const id = `${raw}-${randomUUID()}`;
    const messages = [2, 3].map((v) => message(id, v));
    expect(await cache.fill(id, { version: 3, position: 30, messages })).toBe('ok');
    expect(await cache.append(id, 3, { version: 4, position: 40, messages: [message(id, 4)] })).toBe('ok');
    expect((await cache.read(id, 3))?.messages.map((m) => m.version)).toEqual([2, 3, 4]);
    expect((await cache.inspect(id)).fence).toBe(40);
    await cache.invalidate(id);
    expect(await cache.read(id, 3)).toBeNull();
  });
});
