/**
 * A read-only hybrid environment leaves Redis exactly as it found it: every command its store
 * sends is recorded with MONITOR and checked against the server's own `write` flag.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { INSTANCES_KEY, instanceStatsKey } from '../backends/redis/keys.js';
import { createRedisClient, whenReady } from '../backends/redis/redis-client.js';
import { seedDemoConversations } from '../demo/seed.js';
import { openStore } from '../store/open-store.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { startRedisServer, type RedisServer } from '../testing/servers/redis-server.js';
import type { ConsoleContext } from './context.js';
import { EnvironmentRegistry } from './environments.js';
import { dispatch } from './router.js';
import { KeyFileSecretBox } from './secret-box.js';
import { StorePool } from './store-pool.js';
import { TrafficSimulator } from './traffic.js';

// Its own Redis: MONITOR must see this test's commands only.
let redis: RedisServer;
let database: TestDatabase;
let control: Redis;

beforeAll(async () => {
  [redis, database] = await Promise.all([startRedisServer(), createTestDatabase(inject('databaseUrl'))]);
  control = createRedisClient(redis.url, { onError: () => undefined }) as Redis;
  await whenReady(control, 5_000);
});

afterAll(async () => {
  control?.disconnect();
  await Promise.allSettled([redis?.stop(), database?.drop()]);
});

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('a read-only hybrid environment sends Redis no write, and leaves a stale registry member alone', async () => {
  const writer = await openStore({ postgres: { url: database.url }, redis: { url: redis.url } });
  await seedDemoConversations(writer, { conversations: 5, seed: 3 });
  const first = (await writer.listConversations({ limit: 1 })).items[0]?.conversationId ?? '';
  await writer.cache.warm(first);
  await writer.close();
  // A member some other machine published long ago (by this clock): a reader must not prune it.
  await control.set(instanceStatsKey('elsewhere'), '{}', 'EX', 600);
  await control.zadd(INSTANCES_KEY, 1, 'elsewhere');

  const dir = mkdtempSync(join(tmpdir(), 'sb-ro-redis-'));
  const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
  const stores = new StorePool(registry, openStore);
  const ctx: ConsoleContext = { registry, stores, traffic: new TrafficSimulator((id) => stores.get(id)), fetch, log: () => undefined };
  const env = registry.create({ name: 'Prod', kind: 'production', connection: { postgres: { url: database.url }, redis: { url: redis.url } } });
  expect(env.readOnly).toBe(true);

  const monitor = await control.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
  try {
    await dispatch('conversations.list', { environmentId: env.id, reveal: true }, ctx);
    await dispatch('conversation.tail', { environmentId: env.id, conversationId: first, reveal: true }, ctx);
    await dispatch('conversation.read', { environmentId: env.id, conversationId: first }, ctx);
    await dispatch('cache.inspect', { environmentId: env.id, conversationId: first }, ctx);
    await dispatch('live.snapshot', { environmentId: env.id }, ctx);
    await stores.closeAll();
    await control.echo('read-only-test-done');
    await until(() => seen.some((args) => args[0]?.toLowerCase() === 'echo'), 'MONITOR to catch up');
  } finally {
    monitor.disconnect();
  }

  const names = [...new Set(seen.map((args) => (args[0] ?? '').toLowerCase()))];
  const writes: string[] = [];
  for (const name of names) {
    const info = (await control.call('COMMAND', 'INFO', name)) as Array<[string, number, string[]] | null>;
    const flags = info[0]?.[2] ?? [];
    if (flags.includes('write')) writes.push(name);
  }
  expect(writes).toEqual([]);
  // The registry was read (the check above is not vacuous).
  expect(names).toContain('zrevrangebyscore');
  expect(await control.zscore(INSTANCES_KEY, 'elsewhere')).toBe('1');
});
