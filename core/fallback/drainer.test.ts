import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogAppendResult } from '../backends/log.js';
import { createSqliteLog } from '../backends/sqlite/sqlite-log.js';
import { tempDir } from '../backends/sqlite/test-support.js';
import type { Logger } from '../logging/logger.js';
import { appendRequest, controlRequest, newMessage } from '../testing/log-requests.js';
import { createDrainer, MAX_ATTEMPTS } from './drainer.js';
import { openOutbox, type Outbox } from './outbox.js';

const warnings: string[] = [];
const logger: Logger = { warn: (message, fields) => void warnings.push(`${message} ${JSON.stringify(fields)}`), error: () => undefined };

const all = { fromVersion: 1, toVersion: Number.MAX_SAFE_INTEGER, direction: 'forward', limit: 10_000 } as const;

// The drainer replays to any EventLog; a real SQLite log stands in for PostgreSQL here.
describe('the outbox drainer', () => {
  let dir: ReturnType<typeof tempDir>;
  let outbox: Outbox;
  let log: EventLog;

  beforeEach(async () => {
    dir = tempDir();
    outbox = openOutbox({ path: join(dir.path, 'outbox.sqlite') });
    log = createSqliteLog({ path: join(dir.path, 'log.sqlite') });
    await log.migrate();
  });
  afterEach(async () => {
    outbox.close();
    await log.close();
    dir.remove();
  });

  const drainer = (extra: Partial<Parameters<typeof createDrainer>[0]> = {}) =>
    createDrainer({ outbox, log, owner: 'me', logger: logger, leaseMs: 60_000, ...extra });

  const contents = async (conversationId: string): Promise<string[]> =>
    ((await log.read(conversationId, all))?.events ?? []).flatMap((e) => (e.type === 'message.appended' ? [e.data.content] : []));

  it('replays per conversation in queue order with the queued ids, writing through after each append', async () => {
    const requests = [
      appendRequest('a', [newMessage('a1'), newMessage('a2')], { userId: 'alice' }),
      appendRequest('b', [newMessage('b1')]),
      appendRequest('a', [newMessage('a3')]),
    ];
    for (const request of requests) await outbox.enqueue(request);
    const written: [string, LogAppendResult][] = [];
    await drainer({ afterAppend: async (id, result) => void written.push([id, result]) }).drain();

    expect(await contents('a')).toEqual(['a1', 'a2', 'a3']);
    expect(await contents('b')).toEqual(['b1']);
    const events = (await log.read('a', all))?.events ?? [];
    expect(events.map((e) => e.eventId)).toEqual([requests[0]!.startedEventId, ...requests[0]!.messages.map((m) => m.id), requests[2]!.messages[0]!.id]);
    expect(events.at(-1)?.metadata).toEqual({ userId: 'user-1' });
    expect((await log.getConversation('a'))?.userId).toBe('alice');
    expect(written.map(([id, r]) => [id, r.outcome, r.version])).toEqual([
      ['a', 'appended', 3],
      ['b', 'appended', 2],
      ['a', 'appended', 4],
    ]);
    expect(outbox.counts()).toEqual({ queued: 0, deadLettered: 0, oldestQueuedAt: null });
  });

  it('counts an entry the log already holds (a crash after the append, before the dequeue) as drained, not twice', async () => {
    const request = appendRequest('c', [newMessage('once')]);
    await outbox.enqueue(request);
    await log.append(request);
    const drained: number[] = [];
    await drainer({ onDrained: (entry) => drained.push(entry.seq) }).drain();
    expect(drained).toHaveLength(1);
    expect(await contents('c')).toEqual(['once']);
    expect(outbox.counts().queued).toBe(0);
  });

  it('dead-letters an append to a conversation deleted meanwhile, and goes on with the rest', async () => {
    await log.append(appendRequest('gone', [newMessage('before')]));
    const doomed = appendRequest('gone', [newMessage('never')]);
    await outbox.enqueue(doomed);
    await outbox.enqueue(appendRequest('kept', [newMessage('fine')]));
    await log.control(controlRequest('gone', { type: 'conversation.deleted' }));
    await drainer().drain();

    expect(await contents('gone')).toEqual(['before']);
    expect(await contents('kept')).toEqual(['fine']);
    expect(outbox.deadLetters()).toMatchObject([
      { conversationId: 'gone', messageIds: [doomed.messages[0]!.id], errorCode: 'CONVERSATION_DELETED' },
    ]);
    expect(outbox.counts()).toMatchObject({ queued: 0, deadLettered: 1 });
  });

  it('dead-letters an idempotency conflict (the id is stored with other content)', async () => {
    const id = newMessage('original').id;
    await log.append(appendRequest('conflict', [newMessage('original', { id })]));
    await outbox.enqueue(appendRequest('conflict', [newMessage('changed', { id })]));
    await drainer().drain();
    expect(outbox.deadLetters()).toMatchObject([{ errorCode: 'IDEMPOTENCY_CONFLICT' }]);
    expect(await contents('conflict')).toEqual(['original']);
  });

  it('keeps everything queued while the log is unavailable, and drains it once it is back', async () => {
    await outbox.enqueue(appendRequest('wait', [newMessage('queued')]));
    const down = createSqliteLog({ path: join(dir.path, 'log.sqlite') });
    await down.close(); // a closed log answers BackendUnavailableError, like an unreachable server
    await createDrainer({ outbox, log: down, owner: 'me', logger: logger, leaseMs: 60_000 }).drain();
    expect(outbox.counts()).toMatchObject({ queued: 1, deadLettered: 0 });
    expect(outbox.next()?.attempts).toBe(0);
    await drainer().drain();
    expect(await contents('wait')).toEqual(['queued']);
  });

  it(`retries another failure up to ${MAX_ATTEMPTS} times, then dead-letters it`, async () => {
    await outbox.enqueue(appendRequest('buggy', [newMessage('x')]));
    const broken: EventLog = { ...log, append: () => Promise.reject(new TypeError('a bug')) };
    const d = createDrainer({ outbox, log: broken, owner: 'me', logger: logger, leaseMs: 60_000 });
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      await d.drain();
      expect(outbox.next()?.attempts).toBe(i);
    }
    await d.drain();
    expect(outbox.counts()).toMatchObject({ queued: 0, deadLettered: 1 });
    expect(outbox.deadLetters()[0]?.reason).toContain('a bug');
    // What is logged names the conversation and the error, never the content.
    expect(warnings.some((w) => w.includes('buggy') && w.includes('a bug'))).toBe(true);
    expect(warnings.join('\n')).not.toContain('"x"');
  });

  it('leaves the queue alone while another owner holds the lease, and releases its own when done', async () => {
    await outbox.enqueue(appendRequest('leased', [newMessage('x')]));
    expect(await outbox.lease('someone else', 60_000)).toBe(true);
    await drainer().drain();
    expect(outbox.counts().queued).toBe(1);
    await outbox.release('someone else');
    await drainer().drain();
    expect(outbox.counts().queued).toBe(0);
    expect(await outbox.lease('someone else', 60_000)).toBe(true);
  });

  it('drains nothing after stop()', async () => {
    const d = drainer();
    await d.stop();
    await outbox.enqueue(appendRequest('stopped', [newMessage('x')]));
    await d.drain();
    d.wake();
    expect(outbox.counts().queued).toBe(1);
  });
});
