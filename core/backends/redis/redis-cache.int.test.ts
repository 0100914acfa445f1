import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { CachedTail } from '../../cache/conversation-cache.js';
import { BackendUnavailableError } from '../../errors/errors.js';
import type { Message } from '../../events/types.js';
import { startRedisServer, type RedisServer } from '../../testing/servers/redis-server.js';
import { conversationKeys } from './keys.js';
import { createRedisCache, type RedisCache } from './redis-cache.js';
import { createRedisClient, whenReady, type RedisClient } from './redis-client.js';

const MAX = 5;
const TTL_SECONDS = 600;
const TTL_MS = TTL_SECONDS * 1000;

let client: Redis;
let cache: RedisCache;

beforeAll(async () => {
  client = createRedisClient(inject('redisUrl'), { commandTimeoutMs: 2000, onError: () => undefined }) as Redis;
  cache = createRedisCache({ client, maxMessages: MAX, ttlSeconds: TTL_SECONDS });
  await whenReady(client, 5_000);
});

afterAll(async () => {
  await cache.close();
  client.disconnect();
});

const newId = (label = 'c'): string => `${label}-${randomUUID()}`;

function message(conversationId: string, version: number): Message {
  return {
    id: `m${version}-${conversationId}`, // stable, so two snapshots of one history compare equal
    conversationId,
    version,
    role: version % 2 === 0 ? 'assistant' : 'user',
    content: `message at v${version}`,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString(),
    metadata: { tokens: version },
    redacted: false,
  };
}

/**
 * A log-shaped history: v1 is conversation.started, then one message per version, position = 10 × version.
 * `tail(id, v)` is what the log would give as a snapshot at head v.
 */
function snapshot(conversationId: string, version: number): CachedTail {
  const messages: Message[] = [];
  for (let v = 2; v <= version; v++) messages.push(message(conversationId, v));
  return { version, position: version * 10, messages: messages.slice(-MAX) };
}

/** The write-through of the append that produced version `version` (one message). */
function appended(conversationId: string, version: number): CachedTail {
  return { version, position: version * 10, messages: [message(conversationId, version)] };
}

const versions = (tail: CachedTail | null): number[] | null => tail?.messages.map((m) => m.version) ?? null;

async function keyState(conversationId: string) {
  const keys = conversationKeys(conversationId);
  const [meta, list, fence] = await Promise.all([
    client.exists(keys.meta),
    client.exists(keys.list),
    client.get(keys.fence),
  ]);
  return { meta: meta === 1, list: list === 1, fence: fence === null ? null : Number(fence) };
}

describe('read and fill', () => {
  it('a miss, then a fill, then a hit with the last n messages, oldest first', async () => {
    const id = newId();
    expect(await cache.read(id, 3)).toBeNull();
    expect(await cache.fill(id, snapshot(id, 4))).toBe('ok');
    const tail = await cache.read(id, 2);
    expect(tail).toMatchObject({ version: 4, position: 40 });
    expect(versions(tail)).toEqual([3, 4]);
    expect(tail?.messages[1]).toEqual(snapshot(id, 4).messages[2]);
  });

  it('serves the whole (short) history when it holds fewer than n messages', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    expect(versions(await cache.read(id, MAX))).toEqual([2, 3]);
  });

  it('an entry with no messages is a hit with none', async () => {
    const id = newId();
    expect(await cache.fill(id, { version: 1, position: 10, messages: [] })).toBe('ok');
    expect(await cache.read(id, 3)).toEqual({ version: 1, position: 10, messages: [] });
    expect(await cache.inspect(id)).toMatchObject({ torn: false, entry: { version: 1, messages: [] } });
  });

  it('an entry trimmed by a smaller cap does not answer a larger n', async () => {
    const id = newId();
    const small = createRedisCache({ client, maxMessages: 2, ttlSeconds: TTL_SECONDS });
    await small.fill(id, snapshot(id, 6));
    expect(await cache.read(id, 4)).toBeNull();
    expect(versions(await cache.read(id, 2))).toEqual([5, 6]);
    await small.close();
  });
});

describe('trim to N', () => {
  it('a fill keeps only the last N messages', async () => {
    const id = newId();
    const all = Array.from({ length: 9 }, (_, i) => message(id, i + 2));
    await cache.fill(id, { version: 10, position: 100, messages: all });
    expect(versions(await cache.read(id, MAX))).toEqual([6, 7, 8, 9, 10]);
    expect(await client.llen(conversationKeys(id).list)).toBe(MAX);
    // More than N can't be answered from a full entry: the log has older messages.
    expect(await cache.read(id, MAX + 1)).toBeNull();
  });

  it('appends drop the oldest message past N', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 6));
    for (let v = 7; v <= 9; v++) expect(await cache.append(id, v - 1, appended(id, v))).toBe('ok');
    expect(versions(await cache.read(id, MAX))).toEqual([5, 6, 7, 8, 9]);
    expect(await client.llen(conversationKeys(id).list)).toBe(MAX);
    expect(await client.hget(conversationKeys(id).meta, 'n')).toBe(String(MAX));
  });

  it('a batch larger than N keeps its own last N', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 2));
    const batch = Array.from({ length: 7 }, (_, i) => message(id, i + 3));
    expect(await cache.append(id, 2, { version: 9, position: 90, messages: batch })).toBe('ok');
    expect(versions(await cache.read(id, MAX))).toEqual([5, 6, 7, 8, 9]);
  });
});

describe('TTL', () => {
  it('every key gets the TTL: entry and fence', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    await cache.append(id, 3, appended(id, 4));
    const keys = conversationKeys(id);
    for (const key of [keys.meta, keys.list, keys.fence]) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TTL_MS);
    }
  });

  it('a cold append and an invalidate leave a fence with a TTL', async () => {
    const cold = newId();
    await cache.append(cold, 1, appended(cold, 2));
    expect(await client.pttl(conversationKeys(cold).fence)).toBeGreaterThan(0);
    const dropped = newId();
    await cache.fill(dropped, snapshot(dropped, 3));
    await cache.invalidate(dropped, 40);
    expect(await client.pttl(conversationKeys(dropped).fence)).toBeGreaterThan(0);
  });

  it('a read slides the TTL of the whole conversation', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    const keys = conversationKeys(id);
    for (const key of [keys.meta, keys.list, keys.fence]) await client.pexpire(key, 5_000);
    await cache.read(id, 2);
    for (const key of [keys.meta, keys.list, keys.fence]) expect(await client.pttl(key)).toBeGreaterThan(5_000);
    expect((await cache.inspect(id)).entry?.ttlSeconds).toBeGreaterThan(5);
  });
});

describe('append', () => {
  it('applies the next version and ignores a repeat of it', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    const write = appended(id, 4);
    expect(await cache.append(id, 3, write)).toBe('ok');
    expect(await cache.append(id, 3, write)).toBe('duplicate');
    expect(versions(await cache.read(id, MAX))).toEqual([2, 3, 4]);
  });

  it('an append without messages (a non-message event) moves the head', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    expect(await cache.append(id, 3, { version: 4, position: 40, messages: [] })).toBe('ok');
    expect(await cache.read(id, MAX)).toMatchObject({ version: 4, position: 40 });
  });

  it('race: a cold append does not create an entry, it raises the fence', async () => {
    const id = newId();
    expect(await cache.append(id, 1, appended(id, 2))).toBe('cold');
    expect(await keyState(id)).toEqual({ meta: false, list: false, fence: 20 });
    expect(await cache.read(id, 3)).toBeNull();
    // A snapshot taken before that append can't be written back; one that includes it can.
    expect(await cache.fill(id, snapshot(id, 1))).toBe('fenced');
    expect(await cache.fill(id, snapshot(id, 2))).toBe('ok');
    expect(versions(await cache.read(id, 3))).toEqual([2]);
  });

  it('race: out-of-order write-throughs (v6 before v5) drop the entry; a later fill is accepted', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 4));
    expect(await cache.append(id, 5, appended(id, 6))).toBe('gap');
    expect(await keyState(id)).toEqual({ meta: false, list: false, fence: 60 });
    // v5's write-through lands late: no entry to extend, and it must not create one.
    expect(await cache.append(id, 4, appended(id, 5))).toBe('cold');
    expect(await cache.read(id, 3)).toBeNull();
    expect(await cache.fill(id, snapshot(id, 5))).toBe('fenced');
    expect(await cache.fill(id, snapshot(id, 6))).toBe('ok');
    expect(versions(await cache.read(id, 3))).toEqual([4, 5, 6]);
  });

  it('a write-through whose position is not newer than the entry is a gap', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    expect(await cache.append(id, 3, { version: 4, position: 30, messages: [message(id, 4)] })).toBe('gap');
    expect(await cache.read(id, 3)).toBeNull();
  });

  it('an append on a torn entry drops it (gap)', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    await client.del(conversationKeys(id).list);
    expect(await cache.append(id, 3, appended(id, 4))).toBe('gap');
    expect(await keyState(id)).toEqual({ meta: false, list: false, fence: 40 });
  });
});

describe('fill', () => {
  it('race: stale fill after a write is refused (the write invalidated and raised the fence)', async () => {
    const id = newId();
    const stale = snapshot(id, 3); // a reader missed and read the log at v3 …
    await cache.invalidate(id, 40); // … then a rename at v4 (position 40) committed and invalidated
    expect(await cache.fill(id, stale)).toBe('fenced');
    expect(await cache.read(id, 3)).toBeNull();
    expect(await cache.fill(id, snapshot(id, 4))).toBe('ok');
  });

  it('race: fill racing an append (v7 snapshot lands after the v8 append) is refused', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 7));
    const slowReader = snapshot(id, 7);
    expect(await cache.append(id, 7, appended(id, 8))).toBe('ok');
    expect(await cache.fill(id, slowReader)).toBe('fenced');
    expect(await cache.read(id, 3)).toMatchObject({ version: 8 });
  });

  it('race: fill racing an append is refused even when the entry was evicted in between', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 7));
    const slowReader = snapshot(id, 7);
    expect(await cache.append(id, 7, appended(id, 8))).toBe('ok');
    const keys = conversationKeys(id);
    await client.del(keys.meta, keys.list); // LRU eviction of the entry, fence survives
    expect(await cache.fill(id, slowReader)).toBe('fenced');
  });

  it('does not replace an entry that is as new or newer', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 5));
    expect(await cache.fill(id, snapshot(id, 5))).toBe('duplicate');
    const keys = conversationKeys(id);
    await client.del(keys.fence);
    expect(await cache.fill(id, snapshot(id, 4))).toBe('duplicate');
    expect(await cache.read(id, 1)).toMatchObject({ version: 5 });
  });

  it('replaces an older entry whole', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    expect(await cache.fill(id, snapshot(id, 6))).toBe('ok');
    expect(versions(await cache.read(id, MAX))).toEqual([2, 3, 4, 5, 6]);
  });
});

describe('race: eviction tearing an entry', () => {
  it('meta without list: the read is a miss and the remainder is dropped', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    const before = cache.stats().torn;
    await client.del(conversationKeys(id).list);
    expect((await cache.inspect(id)).torn).toBe(true);
    expect(await cache.read(id, 2)).toBeNull();
    expect(await keyState(id)).toMatchObject({ meta: false, list: false });
    expect(cache.stats().torn).toBe(before + 1);
    expect(await cache.fill(id, snapshot(id, 3))).toBe('ok');
  });

  it('list without meta: the read is a miss and the list is dropped', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    await client.del(conversationKeys(id).meta);
    expect(await cache.read(id, 2)).toBeNull();
    expect(await keyState(id)).toMatchObject({ meta: false, list: false });
  });

  it('a list whose length disagrees with the meta is torn', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    await client.lpop(conversationKeys(id).list);
    expect(await cache.read(id, 2)).toBeNull();
    expect(await keyState(id)).toMatchObject({ meta: false, list: false });
  });

  it('inspect reports a torn entry without touching it', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 3));
    await client.del(conversationKeys(id).list);
    expect(await cache.inspect(id)).toEqual({ entry: null, torn: true, fence: 30 });
    expect(await keyState(id)).toMatchObject({ meta: true, list: false });
  });
});

describe('invalidate and inspect', () => {
  it('invalidate drops the entry and raises the fence to its position', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 4));
    await cache.invalidate(id);
    expect(await keyState(id)).toEqual({ meta: false, list: false, fence: 40 });
    await cache.invalidate(id, 90);
    expect((await keyState(id)).fence).toBe(90);
    await cache.invalidate(id, 50); // never lowers it
    expect((await keyState(id)).fence).toBe(90);
  });

  it('invalidating an unknown conversation writes nothing', async () => {
    const id = newId();
    await cache.invalidate(id);
    expect(await keyState(id)).toEqual({ meta: false, list: false, fence: null });
  });

  it('inspect shows the entry, its TTL and the fence', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 4));
    const report = await cache.inspect(id);
    expect(report.torn).toBe(false);
    expect(report.fence).toBe(40);
    expect(report.entry).toMatchObject({ version: 4, position: 40 });
    expect(report.entry?.messages.map((m) => m.version)).toEqual([2, 3, 4]);
    expect(report.entry?.ttlSeconds).toBeGreaterThan(0);
    expect(report.entry?.ttlSeconds).toBeLessThanOrEqual(TTL_SECONDS);
    expect(await cache.inspect(newId())).toEqual({ entry: null, torn: false, fence: null });
  });

  it('drops an entry it cannot decode instead of serving it', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 4));
    await client.lset(conversationKeys(id).list, 0, 'not json');
    expect(await cache.read(id, 2)).not.toBeNull(); // the last two are intact
    expect(await cache.read(id, 3)).toBeNull();
    expect(await keyState(id)).toMatchObject({ meta: false, list: false });
  });
});

describe('keys safe for odd ids', () => {
  it('ids with braces, colons, spaces and unicode are separate entries', async () => {
    const suffix = randomUUID();
    const ids = [`a}${suffix}`, `{a}${suffix}`, `a:${suffix}`, `a ${suffix}`, `å💬${suffix}`, `a${suffix}`];
    for (const [i, id] of ids.entries()) await cache.fill(id, snapshot(id, i + 2));
    for (const [i, id] of ids.entries()) {
      const tail = await cache.read(id, MAX);
      expect(tail?.version).toBe(i + 2);
      expect(tail?.messages.every((m) => m.conversationId === id)).toBe(true);
    }
  });
});

describe('scripts', () => {
  it('reload themselves after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const id = newId();
    await cache.fill(id, snapshot(id, 2));
    await client.script('FLUSH');
    expect(versions(await cache.read(id, 2))).toEqual([2]);
  });
});

describe('timeouts and the circuit breaker (own server)', () => {
  let server: RedisServer;
  let own: RedisClient;
  let ownCache: RedisCache;

  beforeAll(async () => {
    server = await startRedisServer();
    own = createRedisClient(server.url, { commandTimeoutMs: 200, onError: () => undefined });
    ownCache = createRedisCache({ client: own, maxMessages: MAX, ttlSeconds: TTL_SECONDS });
    await whenReady(own, 5_000);
  });

  afterAll(async () => {
    server.resume();
    await ownCache.close();
    own.disconnect();
    await server.stop();
  });

  it('a hung server fails each call with BackendUnavailableError, then the breaker opens; a probe closes it', async () => {
    const id = newId();
    await ownCache.fill(id, snapshot(id, 3));
    server.pause();
    const first = await ownCache.read(id, 2).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(BackendUnavailableError);
    expect((first as BackendUnavailableError).message).toContain('timed out');
    expect((first as Error).cause).toBeInstanceOf(Error);
    for (let i = 0; i < 4; i++) await expect(ownCache.read(id, 2)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(ownCache.breaker.state).not.toBe('closed');
    await expect(ownCache.read(id, 2)).rejects.toThrow('circuit open');

    server.resume();
    await vi.waitFor(() => expect(ownCache.breaker.state).toBe('closed'), { timeout: 10_000, interval: 50 });
    expect(versions(await ownCache.read(id, 2))).toEqual([2, 3]);
    expect(ownCache.stats().breaker).toMatchObject({ opened: 1, closed: 1 });
  });

  it('a killed server fails calls at once; after a restart the cache is empty and works', async () => {
    const id = newId();
    await ownCache.fill(id, snapshot(id, 3));
    await server.kill();
    const error = await ownCache.read(id, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    await server.start();
    await vi.waitFor(
      async () => {
        expect(await ownCache.read(id, 2)).toBeNull();
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(await ownCache.fill(id, snapshot(id, 3))).toBe('ok');
  });
});
