import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisClient, whenReady, type RedisClient } from '../backends/redis/redis-client.js';
import { startRedisServer, type RedisServer } from '../testing/servers/redis-server.js';
import { createInvalidationBus, type InvalidationBus } from './invalidation-bus.js';

// Its own server: one test kills it to show that a dropped subscriber resets L1.
let server: RedisServer;
const clients: RedisClient[] = [];
const buses: InvalidationBus[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  for (const client of clients) client.disconnect();
  await server.stop();
});

function instance(channel: string) {
  const client = createRedisClient(server.url, { onError: () => undefined });
  clients.push(client);
  const invalidated: string[] = [];
  let resets = 0;
  const bus = createInvalidationBus({
    client,
    subscriberFactory: () => {
      const subscriber = client.duplicate();
      clients.push(subscriber);
      return subscriber;
    },
    channel,
    instanceId: randomUUID(),
    onInvalidate: (id) => invalidated.push(id),
    onReset: () => resets++,
  });
  buses.push(bus);
  return { client, bus, invalidated, resets: () => resets };
}

describe('invalidation bus', () => {
  it('delivers ids to the other instances, not to the publisher', async () => {
    const channel = `sb:inv:test-${randomUUID()}`;
    const a = instance(channel);
    const b = instance(channel);
    const c = instance(channel);
    await Promise.all([a.bus.start(5_000), b.bus.start(5_000), c.bus.start(5_000), whenReady(a.client, 5_000)]);
    const odd = 'conv {with} : odd ✓';
    await a.bus.publish(odd);
    await vi.waitFor(() => {
      expect(b.invalidated).toEqual([odd]);
      expect(c.invalidated).toEqual([odd]);
    });
    // A's own message came back to it too (same channel) and was ignored: a later message from B
    // arriving proves A's subscription was working all along.
    await b.bus.publish('second');
    await vi.waitFor(() => expect(a.invalidated).toEqual(['second']));
  });

  it('ignores malformed messages', async () => {
    const channel = `sb:inv:test-${randomUUID()}`;
    const a = instance(channel);
    await Promise.all([a.bus.start(5_000), whenReady(a.client, 5_000)]);
    await a.client.publish(channel, 'not json');
    await a.client.publish(channel, JSON.stringify({ i: 'someone', c: 42 }));
    await a.client.publish(channel, JSON.stringify({ i: 'someone', c: 'valid' }));
    await vi.waitFor(() => expect(a.invalidated).toEqual(['valid']));
  });

  it('resets when the subscriber connection drops and again once resubscribed', async () => {
    const channel = `sb:inv:test-${randomUUID()}`;
    const a = instance(channel);
    const b = instance(channel);
    await Promise.all([a.bus.start(5_000), b.bus.start(5_000), whenReady(a.client, 5_000)]);
    const resetsBefore = b.resets();
    expect(b.bus.live).toBe(true);

    await server.kill();
    await vi.waitFor(() => expect(b.bus.live).toBe(false), { timeout: 5_000 });
    expect(b.resets()).toBe(resetsBefore + 1);
    await expect(a.bus.publish('lost')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });

    await server.start();
    await b.bus.start(10_000);
    expect(b.resets()).toBe(resetsBefore + 2);
    await vi.waitFor(() => expect(a.client.status).toBe('ready'), { timeout: 10_000 });
    await a.bus.publish('after');
    await vi.waitFor(() => expect(b.invalidated).toEqual(['after']));
  });

  it('start() rejects with BackendUnavailableError when it cannot subscribe in time', async () => {
    const channel = `sb:inv:test-${randomUUID()}`;
    const a = instance(channel);
    await a.bus.start(5_000);
    server.pause();
    try {
      await vi.waitFor(() => expect(a.bus.live).toBe(true));
      // Still live (a paused server does not drop connections); a new bus can't subscribe.
      const b = instance(channel);
      await expect(b.bus.start(300)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    } finally {
      server.resume();
    }
  });
});
