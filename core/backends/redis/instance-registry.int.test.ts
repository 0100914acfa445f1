import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../testing/servers/redis-server.js';
import type { InstanceStats } from '../../metrics/types.js';
import { createInstanceRegistry } from './instance-registry.js';
import { INSTANCES_KEY, instanceStatsKey } from './keys.js';
import { createRedisClient, whenReady } from './redis-client.js';
import { fetchServerInfo } from './server-info.js';

// Its own server: the registry's sorted set is global, other test files must not see these members.
let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = createRedisClient(server.url, { onError: () => undefined }) as Redis;
  await whenReady(client, 5_000);
});

afterAll(async () => {
  client.disconnect();
  await server.stop();
});

function stats(instanceId: string): InstanceStats {
  const tier = { hits: 1, misses: 2, errors: 0, latencyMs: { p50: 0.1, p95: 0.2, p99: 0.3 } };
  return {
    instanceId,
    hostname: 'test-host',
    pid: 1234,
    startedAt: '2025-01-01T00:00:00.000Z',
    publishedAt: '2025-01-01T00:00:05.000Z',
    stats: {
      tiers: { log: tier, redis: tier },
      cacheScripts: { ok: 1, duplicate: 0, cold: 0, gap: 0, fenced: 0 },
      backends: { redis: { status: 'up', breaker: 'closed', breakerOpened: 0 } },
      appends: 3,
    },
  };
}

describe('instance registry', () => {
  it('lists published instances, newest first, with a TTL on every key', async () => {
    let time = 1_000_000;
    const registry = createInstanceRegistry({ client, ttlSeconds: 15, now: () => time });
    const a = `a-${randomUUID()}`;
    const b = `b-${randomUUID()}`;
    await registry.publish(stats(a));
    time += 1000;
    await registry.publish(stats(b));
    expect((await registry.list()).map((s) => s.instanceId)).toEqual([b, a]);
    expect(await registry.list()).toContainEqual(stats(a));
    for (const key of [instanceStatsKey(a), instanceStatsKey(b), INSTANCES_KEY]) {
      expect(await client.ttl(key)).toBeGreaterThan(0);
    }
    await registry.remove(a);
    await registry.remove(b);
    expect(await registry.list()).toEqual([]);
  });

  it('prunes instances that stopped publishing', async () => {
    let time = 2_000_000;
    const registry = createInstanceRegistry({ client, ttlSeconds: 15, now: () => time });
    const stale = `stale-${randomUUID()}`;
    const fresh = `fresh-${randomUUID()}`;
    await registry.publish(stats(stale));
    time += 16_000;
    await registry.publish(stats(fresh));
    expect((await registry.list()).map((s) => s.instanceId)).toEqual([fresh]);
    expect(await client.zscore(INSTANCES_KEY, stale)).toBeNull();

    // A member whose stats key expired (TTL) is skipped; the next publish after it aged out prunes it.
    await client.del(instanceStatsKey(fresh));
    expect(await registry.list()).toEqual([]);
    time += 16_000;
    await registry.publish(stats(stale));
    expect(await client.zscore(INSTANCES_KEY, fresh)).toBeNull();
    await registry.remove(stale);
  });

  it('lists without writing and removes only what it published', async () => {
    let time = 3_000_000;
    const writer = createInstanceRegistry({ client, ttlSeconds: 15, now: () => time });
    const old = `old-${randomUUID()}`;
    await writer.publish(stats(old));
    time += 60_000;
    // A reader whose clock says the member is stale: it is not listed, and not removed.
    const reader = createInstanceRegistry({ client, ttlSeconds: 15, now: () => time });
    expect(await reader.list()).toEqual([]);
    await reader.remove(old);
    expect(await client.zscore(INSTANCES_KEY, old)).not.toBeNull();
    expect(await client.get(instanceStatsKey(old))).not.toBeNull();
    await writer.remove(old);
    expect(await client.zscore(INSTANCES_KEY, old)).toBeNull();
  });
});

describe('server info', () => {
  it('reads INFO from a real server', async () => {
    const info = await fetchServerInfo(client);
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.usedMemoryBytes).toBeGreaterThan(0);
    expect(info.connectedClients).toBeGreaterThanOrEqual(1);
  });
});
