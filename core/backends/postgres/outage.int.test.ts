import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../errors/errors.js';
import { startPostgresCluster, type PostgresCluster } from '../../testing/servers/postgres-cluster.js';
import type { EventLog } from '../log.js';
import { createPostgresLog } from './postgres-log.js';
import { appendRequest, conversationId, newMessage } from './test-support.js';

// These tests crash and hang their own server.
describe('postgres log when the server goes away', () => {
  let cluster: PostgresCluster;
  let log: EventLog;
  const errors: unknown[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    log = createPostgresLog({ url: cluster.url, poolSize: 3, connectTimeoutMs: 1_000, queryTimeoutMs: 1_000, onError: (e) => errors.push(e) });
    await log.migrate();
  });
  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('fails with BackendUnavailableError while killed, and keeps every acknowledged write across the restart', async () => {
    const id = conversationId('crash');
    const acknowledged = newMessage('acknowledged before the crash');
    await log.append(appendRequest(id, [acknowledged]));

    const wakes: (() => void)[] = [];
    const nextWake = () => new Promise<void>((resolve) => wakes.push(resolve));
    let woken = nextWake();
    const stopWake = log.onWake(() => wakes.shift()?.());
    await woken; // LISTEN is in place

    await cluster.kill();
    const attempts = [
      log.append(appendRequest(id, [newMessage('during the crash')])),
      log.tail(id, 10),
      log.read(id, { fromVersion: 1, toVersion: 10, direction: 'forward', limit: 10 }),
      log.listConversations({ limit: 5 }),
      log.readAll('start', 10),
      log.ping(),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).backend).toBe('postgres');
      expect((error as BackendUnavailableError).cause).toBeDefined();
    }

    woken = nextWake();
    await cluster.start();
    await woken; // the LISTEN connection came back by itself and says so
    stopWake();
    expect(errors.length).toBeGreaterThan(0); // its drop was reported, not thrown

    const tail = await log.tail(id, 10);
    expect(tail?.messages.map((m) => m.id)).toEqual([acknowledged.id]);
    await expect(log.append(appendRequest(id, [newMessage('after the restart')], { expectedVersion: 2 }))).resolves.toMatchObject({
      version: 3,
    });
  });

  it('times out with BackendUnavailableError while the server hangs, and closes without hanging', async () => {
    const id = conversationId('hang');
    await log.append(appendRequest(id, [newMessage('before the hang')]));
    const other = createPostgresLog({ url: cluster.url, poolSize: 2, connectTimeoutMs: 500, queryTimeoutMs: 500 });
    await other.ping();

    cluster.pause();
    try {
      // A pooled connection (query timeout) and a new one (connect timeout) both give up.
      const results = await Promise.all([
        other.append(appendRequest(id, [newMessage('during the hang')])).catch((e: unknown) => e),
        other.tail(id, 5).catch((e: unknown) => e),
        other.getConversation(id).catch((e: unknown) => e),
      ]);
      for (const result of results) expect(result).toBeInstanceOf(BackendUnavailableError);
      await other.close();
    } finally {
      cluster.resume();
    }
    await expect(log.getConversation(id)).resolves.toMatchObject({ conversationId: id });
  });
});
