import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  ConversationDeletedError,
  ConversationNotFoundError,
  IdempotencyConflictError,
  ValidationError,
  VersionConflictError,
} from '../../errors/errors.js';
import type { EventLog } from '../log.js';
import { createSqliteLog } from './sqlite-log.js';
import { appendRequest, controlRequest, newMessage } from './test-support.js';

let log: EventLog;

beforeEach(async () => {
  log = createSqliteLog({ path: ':memory:' });
  await log.migrate();
});

afterEach(async () => {
  await log.close();
});

const allVersions = { fromVersion: 1, toVersion: Number.MAX_SAFE_INTEGER, direction: 'forward', limit: 1000 } as const;

describe('append', () => {
  it('creates a conversation with conversation.started as version 1, then its messages', async () => {
    const id = randomUUID();
    const result = await log.append(appendRequest(id, [newMessage('hello'), newMessage('world', { role: 'assistant' })]));
    expect(result).toMatchObject({ version: 3, outcome: 'appended', previousVersion: 0, created: true });
    expect(result.messages.map((m) => [m.version, m.content])).toEqual([
      [2, 'hello'],
      [3, 'world'],
    ]);
    const read = await log.read(id, allVersions);
    expect(read?.version).toBe(3);
    expect(read?.events.map((e) => e.type)).toEqual(['conversation.started', 'message.appended', 'message.appended']);
    expect(read?.events[0]?.data).toEqual({ userId: 'user-1' });
    expect(read?.events.at(-1)?.position).toBe(result.position);
    const info = await log.getConversation(id);
    expect(info).toMatchObject({ conversationId: id, userId: 'user-1', version: 3, messageCount: 2, preview: 'world' });
    expect(info?.lastMessageAt).toBe(result.messages[1]?.createdAt);
  });

  it('checks expected versions: no_stream, 0, exists, exact', async () => {
    const id = randomUUID();
    await expect(log.append(appendRequest(id, [newMessage('a')], { expectedVersion: 'exists' }))).rejects.toMatchObject({
      constructor: VersionConflictError,
      expected: 'exists',
      actual: 0,
    });
    await log.append(appendRequest(id, [newMessage('a')], { expectedVersion: 'no_stream' }));
    await expect(log.append(appendRequest(id, [newMessage('b')], { expectedVersion: 0 }))).rejects.toMatchObject({
      expected: 0,
      actual: 2,
    });
    await expect(log.append(appendRequest(id, [newMessage('b')], { expectedVersion: 1 }))).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    const ok = await log.append(appendRequest(id, [newMessage('b')], { expectedVersion: 2 }));
    expect(ok).toMatchObject({ version: 3, previousVersion: 2, created: false });
    await log.append(appendRequest(id, [newMessage('c')], { expectedVersion: 'exists' }));
    expect((await log.getConversation(id))?.version).toBe(4);
  });

  it('returns the original result for a retry, even with a stale expected version', async () => {
    const id = randomUUID();
    const batch = [newMessage('one'), newMessage('two')];
    const first = await log.append(appendRequest(id, batch, { expectedVersion: 'no_stream' }));
    await log.append(appendRequest(id, [newMessage('three')]));
    const retry = await log.append(appendRequest(id, batch, { expectedVersion: 'no_stream' }));
    expect(retry).toMatchObject({ outcome: 'already_appended', version: 3, position: first.position, previousVersion: 3 });
    expect(retry.messages).toEqual(first.messages);
    expect((await log.getConversation(id))?.version).toBe(4);
  });

  it('treats a retry of a redacted message as already appended (compares by stored hash)', async () => {
    const id = randomUUID();
    const message = newMessage('secret');
    await log.append(appendRequest(id, [message]));
    await log.control(controlRequest(id, { type: 'message.redacted', messageId: message.id, mode: 'mask', reason: 'pii', by: null }));
    const retry = await log.append(appendRequest(id, [message]));
    expect(retry.outcome).toBe('already_appended');
    expect(retry.messages[0]).toMatchObject({ content: '', redacted: true });
  });

  it('rejects partial retries and changed content with IdempotencyConflictError, writing nothing', async () => {
    const id = randomUUID();
    const stored = newMessage('original');
    await log.append(appendRequest(id, [stored]));
    await expect(log.append(appendRequest(id, [stored, newMessage('new')]))).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    await expect(log.append(appendRequest(id, [newMessage('changed', { id: stored.id })]))).rejects.toMatchObject({
      constructor: IdempotencyConflictError,
      messageId: stored.id,
    });
    expect((await log.getConversation(id))?.version).toBe(2);
  });

  it('refuses appends to a soft-deleted conversation before anything else', async () => {
    const id = randomUUID();
    const message = newMessage('x');
    await log.append(appendRequest(id, [message]));
    await log.control(controlRequest(id, { type: 'conversation.deleted' }));
    await expect(log.append(appendRequest(id, [message]))).rejects.toBeInstanceOf(ConversationDeletedError);
  });

  it('writes a batch larger than one insert statement takes in order, gap-free, reporting its last position', async () => {
    const id = randomUUID();
    // Written as 64 + 32 + 4 + 1 rows, the second append as 64 + 4 + 2.
    const batch = Array.from({ length: 101 }, (_, i) => newMessage(`m${i}`, { role: i % 2 === 0 ? 'user' : 'assistant' }));
    const result = await log.append(appendRequest(id, batch));
    expect(result.messages.map((m) => [m.id, m.version, m.content])).toEqual(batch.map((m, i) => [m.id, i + 2, `m${i}`]));
    const read = await log.read(id, allVersions);
    const events = read?.events.slice(1) ?? [];
    expect(events.map((e) => e.eventId)).toEqual(batch.map((m) => m.id));
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => events[0]!.position + i));
    expect(result.position).toBe(events.at(-1)?.position);
    const tail = await log.tail(id, 200);
    expect(tail?.messages).toEqual(result.messages);
    expect(tail).toMatchObject({ version: 102, position: result.position });

    const more = Array.from({ length: 70 }, (_, i) => newMessage(`n${i}`));
    const second = await log.append(appendRequest(id, more, { expectedVersion: 102 }));
    expect(second).toMatchObject({ version: 172, position: result.position + 70, previousVersion: 102 });
    expect((await log.getConversation(id))?.messageCount).toBe(171);
  });

  it('rolls a whole large batch back when an id in its last insert statement is already stored', async () => {
    const id = randomUUID();
    const stored = newMessage('stored');
    await log.append(appendRequest(id, [stored]));
    const batch = [...Array.from({ length: 99 }, (_, i) => newMessage(`m${i}`)), stored];
    await expect(log.append(appendRequest(id, batch))).rejects.toMatchObject({
      constructor: IdempotencyConflictError,
      messageId: batch[0]!.id,
    });
    expect((await log.getConversation(id))?.version).toBe(2);
    expect((await log.read(id, allVersions))?.events).toHaveLength(2);
  });

  it('keeps positions increasing across conversations', async () => {
    const a = await log.append(appendRequest(randomUUID(), [newMessage('a')]));
    const b = await log.append(appendRequest(randomUUID(), [newMessage('b')]));
    expect(b.position).toBeGreaterThan(a.position);
  });

  it('sets the preview to the first 200 code points of the last message', async () => {
    const id = randomUUID();
    const long = '😀'.repeat(250);
    await log.append(appendRequest(id, [newMessage('first'), newMessage(long)]));
    const preview = (await log.getConversation(id))?.preview ?? '';
    expect(Array.from(preview)).toHaveLength(200);
    expect(preview).toBe('😀'.repeat(200));
  });
});

describe('control', () => {
  it('renames, and refuses on unknown or soft-deleted conversations', async () => {
    const id = randomUUID();
    await expect(log.control(controlRequest(id, { type: 'conversation.renamed', title: 't' }))).rejects.toBeInstanceOf(
      ConversationNotFoundError,
    );
    await log.append(appendRequest(id, [newMessage('x')]));
    const renamed = await log.control(controlRequest(id, { type: 'conversation.renamed', title: 'Trip to Lisbon' }));
    expect(renamed).toMatchObject({ version: 3, changed: true });
    expect((await log.getConversation(id))?.title).toBe('Trip to Lisbon');
    await log.control(controlRequest(id, { type: 'conversation.deleted' }));
    await expect(log.control(controlRequest(id, { type: 'conversation.renamed', title: 'u' }))).rejects.toBeInstanceOf(
      ConversationDeletedError,
    );
  });

  it('masks in place, upgrades to purge, and treats weaker repeats as no-ops', async () => {
    const id = randomUUID();
    const secret = newMessage('my card is 4111', { metadata: { model: 'm1' } });
    await log.append(appendRequest(id, [newMessage('keep me'), secret]));
    const redact = (mode: 'mask' | 'purge') =>
      log.control(controlRequest(id, { type: 'message.redacted', messageId: secret.id, mode, reason: 'pii', by: 'ops' }));

    expect(await redact('mask')).toMatchObject({ version: 4, changed: true });
    let tail = await log.tail(id, 10);
    expect(tail?.messages.at(-1)).toMatchObject({ id: secret.id, content: '', redacted: true, metadata: { model: 'm1' } });
    expect((await log.getConversation(id))?.preview).toBe('keep me');

    expect(await redact('mask')).toMatchObject({ version: 4, changed: false });
    expect(await redact('purge')).toMatchObject({ version: 5, changed: true });
    tail = await log.tail(id, 10);
    expect(tail?.messages.map((m) => m.content)).toEqual(['keep me']);
    expect(await redact('mask')).toMatchObject({ changed: false });
    expect(await redact('purge')).toMatchObject({ changed: false });

    const events = (await log.read(id, allVersions))?.events ?? [];
    const rewritten = events.find((e) => e.eventId === secret.id);
    expect(rewritten?.data).toEqual({ role: 'user', content: '', metadata: {}, redacted: 'purge' });
    expect(events.at(-1)).toMatchObject({ type: 'message.redacted', data: { messageId: secret.id, mode: 'purge', reason: 'pii', by: 'ops' } });
    expect((await log.getConversation(id))?.messageCount).toBe(2);
  });

  it('redacts on a soft-deleted conversation; unknown message id is a ValidationError', async () => {
    const id = randomUUID();
    const message = newMessage('only');
    await log.append(appendRequest(id, [message]));
    await log.control(controlRequest(id, { type: 'conversation.deleted' }));
    const result = await log.control(
      controlRequest(id, { type: 'message.redacted', messageId: message.id, mode: 'mask', reason: 'r', by: null }),
    );
    expect(result.changed).toBe(true);
    expect((await log.getConversation(id))?.preview).toBe('');
    await expect(
      log.control(controlRequest(id, { type: 'message.redacted', messageId: randomUUID(), mode: 'mask', reason: 'r', by: null })),
    ).rejects.toMatchObject({ constructor: ValidationError, field: 'messageId' });
  });

  it('soft-deletes once; the second time is a no-op', async () => {
    const id = randomUUID();
    await log.append(appendRequest(id, [newMessage('x')]));
    expect(await log.control(controlRequest(id, { type: 'conversation.deleted' }))).toMatchObject({ version: 3, changed: true });
    expect(await log.control(controlRequest(id, { type: 'conversation.deleted' }))).toMatchObject({ version: 3, changed: false });
    expect((await log.getConversation(id))?.status).toBe('deleted');
    expect((await log.tail(id, 5))?.status).toBe('deleted');
  });

  it('hard-deletes every row; the id is free again', async () => {
    const id = randomUUID();
    const { position } = await log.append(appendRequest(id, [newMessage('x')]));
    await log.control(controlRequest(id, { type: 'conversation.renamed', title: 'gone soon' }));
    const deleted = await log.hardDelete(id);
    expect(deleted?.position).toBeGreaterThan(position);
    expect(await log.getConversation(id)).toBeNull();
    expect(await log.read(id, allVersions)).toBeNull();
    expect(await log.hardDelete(id)).toBeNull();
    expect((await log.listConversations({ search: 'gone', limit: 10 })).items).toEqual([]);
    const again = await log.append(appendRequest(id, [newMessage('y')], { expectedVersion: 'no_stream' }));
    expect(again).toMatchObject({ version: 2, created: true });
  });
});

describe('read and tail', () => {
  it('reads inclusive ranges forward and backward with a limit, and reports the true head', async () => {
    const id = randomUUID();
    await log.append(appendRequest(id, ['a', 'b', 'c', 'd', 'e'].map((c) => newMessage(c))));
    const forward = await log.read(id, { fromVersion: 2, toVersion: 4, direction: 'forward', limit: 10 });
    expect(forward?.events.map((e) => e.version)).toEqual([2, 3, 4]);
    expect(forward?.version).toBe(6);
    const backward = await log.read(id, { fromVersion: 6, toVersion: 1, direction: 'backward', limit: 2 });
    expect(backward?.events.map((e) => e.version)).toEqual([6, 5]);
    const unbounded = await log.read(id, { fromVersion: Infinity, toVersion: 1, direction: 'backward', limit: Infinity });
    expect(unbounded?.events).toHaveLength(6);
  });

  it('tails the last n messages oldest first, skipping purged ones', async () => {
    const id = randomUUID();
    const messages = ['a', 'b', 'c', 'd'].map((c) => newMessage(c));
    await log.append(appendRequest(id, messages));
    await log.control(controlRequest(id, { type: 'conversation.renamed', title: 't' }));
    await log.control(
      controlRequest(id, { type: 'message.redacted', messageId: messages[3]!.id, mode: 'purge', reason: 'r', by: null }),
    );
    const tail = await log.tail(id, 2);
    expect(tail).toMatchObject({ status: 'active', version: 7 });
    expect(tail?.messages.map((m) => m.content)).toEqual(['b', 'c']);
    expect(await log.tail(randomUUID(), 2)).toBeNull();
  });
});

describe('listConversations', () => {
  it('pages newest first with a stable cursor, filtering by user and status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `c-${i}`;
      ids.push(id);
      await log.append(appendRequest(id, [newMessage(`m${i}`)], { userId: i % 2 === 0 ? 'even' : 'odd' }));
    }
    await log.control(controlRequest('c-4', { type: 'conversation.deleted' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.listConversations({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((i) => i.conversationId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(4);
    expect(new Set(seen)).toEqual(new Set(['c-0', 'c-1', 'c-2', 'c-3']));
    const infos = (await log.listConversations({ limit: 10 })).items;
    for (let i = 1; i < infos.length; i++) {
      const [prev, next] = [infos[i - 1]!, infos[i]!];
      expect([prev.lastMessageAt!, prev.conversationId] > [next.lastMessageAt!, next.conversationId]).toBe(true);
    }
    const exact = await log.listConversations({ limit: 4 });
    expect(exact.nextCursor).toBeUndefined();
    expect((await log.listConversations({ limit: 10, userId: 'even' })).items.map((i) => i.conversationId).sort()).toEqual([
      'c-0',
      'c-2',
    ]);
    expect((await log.listConversations({ limit: 10, includeDeleted: true })).items).toHaveLength(5);
    await expect(log.listConversations({ limit: 10, cursor: 'nope' })).rejects.toMatchObject({ field: 'cursor' });
  });

  it('searches titles and single messages for every word, as prefixes, case-insensitively', async () => {
    await log.append(appendRequest('weather', [newMessage('Is it raining in Lisbon?'), newMessage('Sunny all week')]));
    await log.append(appendRequest('split', [newMessage('raining today'), newMessage('Lisbon tomorrow')]));
    await log.append(appendRequest('titled', [newMessage('nothing here')], { userId: 'other' }));
    await log.control(controlRequest('titled', { type: 'conversation.renamed', title: 'Lisbon rain plans' }));
    const search = async (text: string, extra: { userId?: string } = {}) =>
      (await log.listConversations({ limit: 10, search: text, ...extra })).items.map((i) => i.conversationId).sort();

    expect(await search('lisbon RAIN')).toEqual(['titled', 'weather']);
    expect(await search('lisb')).toEqual(['split', 'titled', 'weather']);
    expect(await search('lisbon rain', { userId: 'other' })).toEqual(['titled']);
    expect(await search('"OR NOT* (')).toEqual([]);
    expect(await search('sunny "week"')).toEqual(['weather']);
    await log.control(controlRequest('titled', { type: 'conversation.renamed', title: 'Porto' }));
    expect(await search('lisbon rain')).toEqual(['weather']);
    expect(await search('porto')).toEqual(['titled']);
  });
});

describe('subscribe support', () => {
  it('reads all events after a checkpoint in position order', async () => {
    expect(await log.endCheckpoint()).toBe('0');
    await log.append(appendRequest('a', [newMessage('1'), newMessage('2')]));
    const middle = await log.endCheckpoint();
    await log.append(appendRequest('b', [newMessage('3')]));
    const first = await log.readAll('start', 2);
    expect(first.events.map((e) => e.version)).toEqual([1, 2]);
    const rest = await log.readAll(first.checkpoint, 100);
    expect(rest.events.map((e) => [e.conversationId, e.version])).toEqual([
      ['a', 3],
      ['b', 1],
      ['b', 2],
    ]);
    expect((await log.readAll(middle, 100)).events.map((e) => e.conversationId)).toEqual(['b', 'b']);
    const empty = await log.readAll(rest.checkpoint, 100);
    expect(empty).toEqual({ events: [], checkpoint: rest.checkpoint });
    expect(await log.endCheckpoint()).toBe(rest.checkpoint);
    await expect(log.readAll('x1', 1)).rejects.toBeInstanceOf(ValidationError);
  });

  it('wakes listeners after a local write', async () => {
    const woken = new Promise<void>((resolve) => {
      const stop = log.onWake(() => {
        stop();
        resolve();
      });
    });
    await log.append(appendRequest(randomUUID(), [newMessage('wake')]));
    await woken;
  });
});

describe('lifecycle', () => {
  it('answers ping, and fails with BackendUnavailableError once closed', async () => {
    await log.ping();
    await log.close();
    await expect(log.ping()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(log.append(appendRequest('x', [newMessage('x')]))).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});
