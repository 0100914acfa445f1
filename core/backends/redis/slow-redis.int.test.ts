/**
 * A slow Redis, not a dead one: a delaying proxy between the store and the test Redis server.
 * Replies late but within the command timeout still open the breaker (on latency), and so do a
 * share of replies past it; tails then come from the log at the log's speed, and once Redis is
 * fast again a probe closes the breaker and reads go back to it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, newId, user } from '../../testing/contract/target.js';
import { startDelayProxy, type DelayProxy } from '../../testing/servers/delay-proxy.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { Logger } from '../../logging/logger.js';
import { openStore } from '../../store/open-store.js';
import type { ConversationStore } from '../../store/types.js';

// With the default breaker: 10 calls make a window, so a slow Redis costs at most that many slow
// reads (plus a few for a window partly filled with fast calls already).
const MAX_CALLS_TO_OPEN = 20;

let database: TestDatabase;
let proxy: DelayProxy;
let store: ConversationStore;
const warnings: string[] = [];
// Kept, not printed: every read that fails over to the log warns, and the test reads many.
const logger: Logger = { warn: (message) => warnings.push(message), error: (message) => warnings.push(message) };

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
  const target = new URL(inject('redisUrl'));
  proxy = await startDelayProxy({ targetHost: target.hostname, targetPort: Number(target.port || 6379) });
  target.host = `127.0.0.1:${proxy.port}`;
  store = await openStore({
    postgres: { url: database.url, poolSize: 4 },
    redis: { url: target.toString() },
    cache: { l1: false },
    metrics: { publishIntervalMs: 60_000 },
    logger,
  });
});
afterAll(async () => {
  proxy?.setDelay(0);
  await store?.close();
  await proxy?.stop();
  await database?.drop();
});

const breaker = () => store.stats().backends.redis;

async function timedTail(id: string): Promise<{ source: string; ms: number }> {
  const started = performance.now();
  const { source } = await store.tailWithSource(id);
  return { source, ms: performance.now() - started };
}

/** Tails until the breaker leaves 'closed'; returns how many tails that took. */
async function tailUntilOpen(id: string): Promise<number> {
  for (let calls = 1; calls <= MAX_CALLS_TO_OPEN; calls++) {
    await store.tailWithSource(id);
    if (breaker()?.breaker !== 'closed') return calls;
  }
  throw new Error(`the breaker stayed closed through ${MAX_CALLS_TO_OPEN} slow tails`);
}

/** A cached conversation, read back from Redis while the proxy adds nothing. */
async function cachedConversation(): Promise<string> {
  const id = newId();
  await store.append(id, [user('one'), user('two')]);
  // The first read fills the entry; the second is served by Redis.
  await store.tail(id);
  expect((await store.tailWithSource(id)).source).toBe('redis');
  return id;
}

/** Removes the delay; a probe must close the breaker and tails must come from Redis again. */
async function recovers(id: string): Promise<void> {
  proxy.setDelay(0);
  await eventually(() => breaker()?.breaker, (state) => state === 'closed');
  await eventually(async () => (await store.tailWithSource(id)).source, (source) => source === 'redis');
  expect(breaker()?.breaker).toBe('closed');
}

describe('a slow Redis', () => {
  it('200 ms per reply (under the command timeout): the breaker opens on latency, tails come from the log fast, a probe brings Redis back', async () => {
    const DELAY_MS = 200;
    const id = await cachedConversation();
    const openedBefore = breaker()?.breakerOpened ?? 0;

    proxy.setDelay(DELAY_MS);
    const calls = await tailUntilOpen(id);
    expect(calls).toBeLessThanOrEqual(MAX_CALLS_TO_OPEN);
    expect(breaker()).toMatchObject({ breakerLastTrip: 'latency', breakerOpened: openedBefore + 1 });

    // Open or probing (a probe is itself slow, so it opens again): every tail skips Redis.
    const served: { source: string; ms: number }[] = [];
    for (let i = 0; i < 10; i++) served.push(await timedTail(id));
    expect(served.map((tail) => tail.source)).toEqual(new Array(10).fill('log'));
    for (const tail of served) expect(tail.ms).toBeLessThan(DELAY_MS / 2);
    expect(breaker()?.breaker).not.toBe('closed');

    await recovers(id);
  });

  it('30 % of replies 400 ms late (past the command timeout): the breaker opens too, and closes once Redis is fast again', async () => {
    const id = await cachedConversation();
    const openedBefore = breaker()?.breakerOpened ?? 0;

    proxy.setDelay(400, 0.3);
    await tailUntilOpen(id);
    // Three in ten time out (failures, under the failure rate); with those that queue behind
    // them, the slow share is what passes its bound.
    expect(breaker()).toMatchObject({ breakerLastTrip: 'latency', breakerOpened: openedBefore + 1 });
    expect((await timedTail(id)).source).toBe('log');

    await recovers(id);
  });
});
