/**
 * 'hybrid+fallback' mode in one process: PostgreSQL killed, appends queued in the SQLite outbox,
 * read-your-writes on the instance, health and stats while degraded, and the drain afterwards
 * (write-through included). These tests start their own servers, since they kill them.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../backends/sqlite/test-support.js';
import { BackendUnavailableError, ConversationDeletedError, ValidationError } from '../errors/errors.js';
import type { AppendResult, MessageInput, StoredEvent } from '../events/types.js';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { eventually, newId, user } from '../testing/contract/target.js';
import { startPostgresCluster, type PostgresCluster } from '../testing/servers/postgres-cluster.js';
import { startRedisServer, type RedisServer } from '../testing/servers/redis-server.js';

const contents = (events: StoredEvent[]): string[] => events.flatMap((e) => (e.type === 'message.appended' ? [e.data.content] : []));

describe("'hybrid+fallback' mode", () => {
  let postgres: PostgresCluster;
  let redis: RedisServer;
  let dir: ReturnType<typeof tempDir>;
  const opened: ConversationStore[] = [];

  const open = async (outbox = 'outbox.sqlite', withRedis = true): Promise<ConversationStore> => {
    const store = await openStore({
      postgres: { url: postgres.url, connectTimeoutMs: 1000 },
      ...(withRedis ? { redis: { url: redis.url } } : {}),
      sqlite: { path: join(dir.path, outbox) },
      cache: { l1: false },
    });
    opened.push(store);
    return store;
  };
  const close = async (store: ConversationStore): Promise<void> => {
    opened.splice(opened.indexOf(store), 1);
    await store.close();
  };
  /** Runs `work` with PostgreSQL down, restarting it even when `work` fails. */
  const whileDown = async <T>(work: () => Promise<T>, stop: () => Promise<void> = () => postgres.kill()): Promise<T> => {
    await stop();
    try {
      return await work();
    } finally {
      await postgres.start();
    }
  };

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgresCluster(), startRedisServer()]);
    dir = tempDir();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await Promise.all([postgres?.stop(), redis?.stop()]);
    dir?.remove();
  });

  it('queues appends while PostgreSQL is down, shows them in this instance’s tails, reports degraded, then drains them with write-through', async () => {
    const store = await open();
    expect(store.mode).toBe('hybrid+fallback');
    expect(store.fallback).not.toBeNull();
    const cached = newId('cached');
    const fresh = newId('fresh');
    const uncached = newId('uncached');
    await store.append(cached, user('before'), { userId: 'u1' });
    await store.append(uncached, user('only in the log'));
    await store.cache.evict(uncached);
    // The first read fills the entry; from then on Redis answers.
    await store.tail(cached);
    expect((await store.tailWithSource(cached)).source).toBe('redis');

    const queued = await whileDown(async () => {
      const first = await store.append(cached, user('offline 1'), { userId: 'u1', metadata: { requestId: 'r-1' } });
      expect(first).toMatchObject({ outcome: 'queued', version: null, position: null, conversationId: cached });
      expect(first.messages).toMatchObject([{ content: 'offline 1', version: null, conversationId: cached }]);
      const clientId = randomUUID();
      const second = await store.append(cached, [user('offline 2'), user('offline 3', { id: clientId })]);
      expect(second.messages.map((m) => m.id)).toContain(clientId);
      const other = await store.append(fresh, user('started offline'), { expectedVersion: 'any' });
      expect(other.outcome).toBe('queued');

      // What cannot be checked offline still fails.
      for (const write of [
        () => store.append(cached, user('checked'), { expectedVersion: 2 }),
        () => store.append(newId(), user('checked'), { expectedVersion: 'no_stream' }),
        () => store.rename(cached, 'title'),
        () => store.deleteConversation(cached),
      ]) {
        await expect(write()).rejects.toBeInstanceOf(BackendUnavailableError);
      }

      // Read-your-writes: the cache tier's answer, then what is queued here.
      const tail = await store.tailWithSource(cached);
      expect(tail.source).toBe('redis');
      expect(tail.messages.map((m) => [m.content, m.version])).toEqual([
        ['before', 2],
        ['offline 1', null],
        ['offline 2', null],
        ['offline 3', null],
      ]);
      expect((await store.tail(cached, 2)).map((m) => m.content)).toEqual(['offline 2', 'offline 3']);
      // No tier answers: only the queued messages, labelled as such.
      expect(await store.tailWithSource(fresh)).toMatchObject({ source: 'outbox', messages: [{ content: 'started offline' }] });
      // Nothing queued and nothing cached: the outage, not a claim that the conversation is empty.
      await expect(store.tail(uncached)).rejects.toBeInstanceOf(BackendUnavailableError);
      // read and stateAt stay log-only.
      await expect(store.read(cached)).rejects.toBeInstanceOf(BackendUnavailableError);

      const health = await store.health();
      expect(health.status).toBe('degraded');
      expect(health.backends.postgres?.status).toBe('down');
      expect(health.backends.sqlite?.status).toBe('up');
      const stats = store.stats();
      expect(stats.fallback).toMatchObject({ queued: 3, drained: 0, deadLettered: 0 });
      expect(Date.parse(stats.fallback?.oldestQueuedAt ?? '')).not.toBeNaN();
      expect(stats.backends.sqlite?.status).toBe('up');
      return [first, second, other];
    });

    await eventually(() => store.stats().fallback, (f) => f?.queued === 0 && f.drained === 3, 20_000);
    expect(store.stats().fallback?.oldestQueuedAt).toBeNull();
    const read = await store.read(cached);
    expect(contents(read.events)).toEqual(['before', 'offline 1', 'offline 2', 'offline 3']);
    const ids = queued.slice(0, 2).flatMap((r: AppendResult) => r.messages.map((m) => m.id));
    expect(read.events.slice(2).map((e) => e.eventId)).toEqual(ids);
    expect(read.events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(read.events[2]?.metadata).toEqual({ userId: 'u1', requestId: 'r-1' });
    expect(contents((await store.read(fresh)).events)).toEqual(['started offline']);

    // The drain wrote through to Redis like a normal append: the entry is whole and current.
    expect((await store.cache.inspect(cached)).verdict).toBe('consistent');
    const after = await store.tailWithSource(cached);
    expect(after.source).toBe('redis');
    expect(after.messages.map((m) => m.version)).toEqual([2, 3, 4, 5]);
    expect((await store.health()).status).toBe('up');
  });

  it('with the server stopped by pg_ctl stop -m immediate, and no Redis: queues, then drains', async () => {
    const store = await open('immediate.sqlite', false);
    const id = newId();
    await store.append(id, user('one'));
    await whileDown(
      async () => {
        expect((await store.append(id, user('two'))).outcome).toBe('queued');
        expect((await store.tail(id)).map((m) => m.content)).toEqual(['two']);
        expect((await store.health()).status).toBe('degraded');
      },
      () => postgres.stopImmediate(),
    );
    await eventually(() => store.stats().fallback?.queued, (queued) => queued === 0, 20_000);
    expect(contents((await store.read(id)).events)).toEqual(['one', 'two']);
  });

  it('a queued message keeps its parts and metadata through the drain, and a retry of it is still recognised', async () => {
    const store = await open('parts.sqlite');
    const id = newId();
    await store.append(id, user('online'));
    const message: MessageInput = {
      id: `msg-${randomUUID()}`,
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'checking' },
        { type: 'tool-weather', toolCallId: 'call_1', state: 'output-available', output: { celsius: 21.5 } },
        { type: 'text', text: 'It is warm.' },
      ],
      metadata: { model: 'm-1' },
    };
    await whileDown(async () => {
      expect((await store.append(id, message)).outcome).toBe('queued');
      expect((await store.tail(id)).at(-1)).toMatchObject({ content: 'It is warm.', parts: message.parts, metadata: { model: 'm-1' } });
    });
    await eventually(() => store.stats().fallback?.queued, (queued) => queued === 0, 20_000);
    expect((await store.tail(id)).at(-1)).toMatchObject({ id: message.id, content: 'It is warm.', parts: message.parts, metadata: { model: 'm-1' } });
    await expect(store.append(id, message)).resolves.toMatchObject({ outcome: 'already_appended', version: 3 });
  });

  it('dead-letters a queued append to a conversation deleted meanwhile; retry and discard', async () => {
    const path = 'dead.sqlite';
    const queuing = await open(path);
    const doomed = newId('doomed');
    await queuing.append(doomed, user('kept'));
    // This instance goes away while PostgreSQL is still down, so it cannot drain the entry before
    // the conversation is deleted (its drainer pings the log every second); the entry waits in the file.
    const result = await whileDown(async () => {
      const queued = await queuing.append(doomed, user('never applied'));
      await close(queuing);
      return queued;
    });

    const plain = await openStore({ postgres: { url: postgres.url }, redis: { url: redis.url } });
    try {
      await eventually(() => plain.deleteConversation(doomed).then(() => true, () => false), (ok) => ok);
    } finally {
      await plain.close();
    }

    const drainer = await open(path);
    const fallback = drainer.fallback!;
    const [letter] = await eventually(() => fallback.deadLetters(), (letters) => letters.length === 1, 20_000);
    expect(letter).toMatchObject({ conversationId: doomed, messageIds: result.messages.map((m) => m.id), errorCode: 'CONVERSATION_DELETED' });
    expect(letter?.reason).toMatch(/deleted/);
    expect(drainer.stats().fallback).toMatchObject({ queued: 0, deadLettered: 1 });
    await expect(drainer.tail(doomed)).rejects.toBeInstanceOf(ConversationDeletedError);
    expect(contents((await drainer.read(doomed)).events)).toEqual(['kept']);

    // Retried while the conversation is still deleted: refused again, never applied.
    await fallback.retry(letter!.id);
    const [again] = await eventually(() => fallback.deadLetters(), (letters) => letters.length === 1 && letters[0]?.id !== letter!.id, 20_000);
    expect(contents((await drainer.read(doomed)).events)).toEqual(['kept']);

    // Once the id is free again (hard delete), a retry applies it.
    await drainer.deleteConversation(doomed, { hard: true });
    await fallback.retry(again!.id);
    await eventually(() => drainer.stats().fallback, (f) => f?.queued === 0 && f.deadLettered === 0, 20_000);
    expect(contents((await drainer.read(doomed)).events)).toEqual(['never applied']);

    await expect(fallback.discard(again!.id)).rejects.toBeInstanceOf(ValidationError);
    await expect(fallback.retry('no-such-letter')).rejects.toMatchObject({ field: 'id' });
  });

  it('is absent in other modes', async () => {
    const store = await openStore({ postgres: { url: postgres.url } });
    try {
      expect(store.fallback).toBeNull();
      expect(store.stats().fallback).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
