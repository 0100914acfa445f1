import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../backends/sqlite/test-support.js';
import type { MessagePart } from '../events/types.js';
import { appendRequest, newMessage } from '../testing/log-requests.js';
import { openOutbox, parsePayload, type Outbox } from './outbox.js';

describe('the fallback outbox file', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  const opened: Outbox[] = [];
  const open = (durability?: 'full' | 'normal'): Outbox => {
    const outbox = openOutbox({ path, ...(durability !== undefined ? { durability } : {}) });
    opened.push(outbox);
    return outbox;
  };

  beforeEach(() => {
    dir = tempDir();
    path = join(dir.path, 'outbox.sqlite');
  });
  afterEach(() => {
    for (const outbox of opened.splice(0)) outbox.close();
    dir.remove();
  });

  it('keeps appends in queue order, per conversation and overall, with ids, metadata and owner as given', async () => {
    const outbox = open();
    const a1 = appendRequest('a', [newMessage('a one', { metadata: { model: 'm' } }), newMessage('a two')], { userId: 'alice' });
    const b1 = appendRequest('b', [newMessage('b one')]);
    const a2 = appendRequest('a', [newMessage('a three', { role: 'assistant' })]);
    for (const request of [a1, b1, a2]) await outbox.enqueue(request);

    expect(outbox.hasQueued('a')).toBe(true);
    expect(outbox.hasQueued('c')).toBe(false);
    const queued = outbox.queuedMessages('a');
    expect(queued.map((m) => [m.id, m.content, m.version])).toEqual([
      [a1.messages[0]!.id, 'a one', null],
      [a1.messages[1]!.id, 'a two', null],
      [a2.messages[0]!.id, 'a three', null],
    ]);
    expect(queued[0]?.metadata).toEqual({ model: 'm' });

    const first = outbox.next();
    expect(first?.conversationId).toBe('a');
    expect(first?.append).toEqual({ messages: a1.messages, userId: 'alice', metadata: { userId: 'alice' }, startedEventId: a1.startedEventId });
    await outbox.remove(first!.seq);
    expect(outbox.next()?.conversationId).toBe('b');
    await outbox.remove(outbox.next()!.seq);
    expect(outbox.next()?.append?.messages).toEqual(a2.messages);
    expect(outbox.counts()).toMatchObject({ queued: 1, deadLettered: 0 });
  });

  it('keeps a queued message whole: parts and the idempotency hash come back as they went in', async () => {
    const outbox = open();
    const parts: MessagePart[] = [{ type: 'text', text: 'see ' }, { type: 'image', url: 'https://example.com/a.png' }];
    const request = appendRequest('parts', [newMessage('see ', { parts, metadata: { n: 1 } })]);
    await outbox.enqueue(request);
    const [queued] = outbox.next()?.append?.messages ?? [];
    expect(queued).toEqual({ ...request.messages[0], parts });
    expect(queued?.contentHash).toBe(request.messages[0]!.contentHash);
    expect(outbox.queuedMessages('parts')[0]?.parts).toEqual(parts);
  });

  it('is shared by every handle on the file, and survives reopening', async () => {
    const writer = open();
    const request = appendRequest('shared', [newMessage('kept')]);
    await writer.enqueue(request);
    writer.close();
    opened.splice(opened.indexOf(writer), 1);
    const [one, two] = [open(), open()];
    expect(one.queuedMessages('shared').map((m) => m.id)).toEqual([request.messages[0]!.id]);
    expect(two.counts().queued).toBe(1);
    expect(two.counts().oldestQueuedAt).toBe(one.next()?.queuedAt);
  });

  it('grants the drain lease to one handle at a time until it is released or expires', async () => {
    const [one, two] = [open(), open()];
    expect(await one.lease('one', 60_000)).toBe(true);
    expect(await two.lease('two', 60_000)).toBe(false);
    // The holder renews.
    expect(await one.lease('one', 60_000)).toBe(true);
    // Releasing someone else's lease does nothing.
    await two.release('two');
    expect(await two.lease('two', 60_000)).toBe(false);
    await one.release('one');
    expect(await two.lease('two', 60_000)).toBe(true);
    expect(await one.lease('one', 60_000)).toBe(false);
    // An expired lease can be taken over (a drainer that died holding it).
    expect(await two.lease('two', 1)).toBe(true);
    const raw = new SqliteDatabase(path);
    try {
      raw.prepare('UPDATE outbox_lease SET expires_at = 0').run();
    } finally {
      raw.close();
    }
    expect(await one.lease('one', 60_000)).toBe(true);
    expect(await two.lease('two', 60_000)).toBe(false);
  });

  it('moves a refused entry to the dead letters with its reason; retry queues it at the tail, discard deletes it', async () => {
    const outbox = open();
    const doomed = appendRequest('c', [newMessage('one'), newMessage('two')]);
    const later = appendRequest('c', [newMessage('three')]);
    await outbox.enqueue(doomed);
    await outbox.enqueue(later);
    const entry = outbox.next()!;
    const id = await outbox.deadLetter(entry.seq, 'conversation is deleted', 'CONVERSATION_DELETED');
    expect(id).not.toBeNull();
    expect(outbox.counts()).toMatchObject({ queued: 1, deadLettered: 1 });
    const [letter] = outbox.deadLetters();
    expect(letter).toMatchObject({
      id,
      conversationId: 'c',
      messageIds: doomed.messages.map((m) => m.id),
      reason: 'conversation is deleted',
      errorCode: 'CONVERSATION_DELETED',
      queuedAt: entry.queuedAt,
    });
    expect(Date.parse(letter!.failedAt)).not.toBeNaN();
    // Never replayed while dead: only the later entry is queued.
    expect(outbox.queuedMessages('c').map((m) => m.content)).toEqual(['three']);

    expect(await outbox.retry(id!)).toBe(true);
    expect(outbox.deadLetters()).toEqual([]);
    expect(outbox.queuedMessages('c').map((m) => m.content)).toEqual(['three', 'one', 'two']);
    expect(await outbox.retry(id!)).toBe(false);

    const again = await outbox.deadLetter(outbox.next()!.seq, 'refused', null);
    expect(await outbox.discard(again!)).toBe(true);
    expect(await outbox.discard(again!)).toBe(false);
    expect(outbox.counts()).toMatchObject({ queued: 1, deadLettered: 0 });
  });

  it('counts failures per entry', async () => {
    const outbox = open();
    await outbox.enqueue(appendRequest('d', [newMessage('x')]));
    const { seq } = outbox.next()!;
    expect(await outbox.recordFailure(seq)).toBe(1);
    expect(await outbox.recordFailure(seq)).toBe(2);
    expect(outbox.next()?.attempts).toBe(2);
  });

  it("runs synchronous=FULL unless opened with durability 'normal'", () => {
    expect(open().synchronous()).toBe('full');
    expect(open('full').synchronous()).toBe('full');
    expect(open('normal').synchronous()).toBe('normal');
  });

  it('refuses an in-memory outbox', () => {
    expect(() => openOutbox({ path: ':memory:' })).toThrow(/file/);
  });

  it('reads payloads defensively: a malformed one is reported as unreadable, not replayed', () => {
    expect(parsePayload('not json')).toBeNull();
    expect(parsePayload(JSON.stringify({ messages: [], userId: null, metadata: {}, startedEventId: 'x' }))).toBeNull();
    expect(parsePayload(JSON.stringify({ messages: [{ id: 'a', role: 'robot', content: '', metadata: {}, contentHash: 'h' }], userId: null, metadata: {}, startedEventId: 'x' }))).toBeNull();
    const good = { messages: [{ id: 'a', role: 'user', content: 'c', metadata: {}, contentHash: 'h' }], userId: null, metadata: {}, startedEventId: 'x' };
    expect(parsePayload(JSON.stringify(good))).toEqual(good);
  });
});
