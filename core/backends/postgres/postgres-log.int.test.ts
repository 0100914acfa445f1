import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ConversationDeletedError,
  ConversationNotFoundError,
  IdempotencyConflictError,
  ValidationError,
  VersionConflictError,
} from '../../errors/errors.js';
import type { StoredEvent } from '../../events/types.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { EventLog } from '../log.js';
import { createPostgresLog } from './postgres-log.js';
import { appendRequest, conversationId, newMessage, readAllUntil } from './test-support.js';

describe('postgres log', () => {
  let database: TestDatabase;
  let log: EventLog;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
    log = createPostgresLog({ url: database.url, poolSize: 4 });
    await log.migrate();
  });
  afterAll(async () => {
    await log.close();
    await database.drop();
  });

  const readAllOf = async (id: string): Promise<StoredEvent[]> =>
    (await log.read(id, { fromVersion: 1, toVersion: Number.MAX_SAFE_INTEGER, direction: 'forward', limit: 1000 }))?.events ?? [];

  it('creates a conversation with conversation.started first, then messages, in one append', async () => {
    const id = conversationId();
    const first = newMessage('hello', { metadata: { model: 'm', tokens: 3 } });
    const second = newMessage('world', { role: 'assistant' });
    const result = await log.append(appendRequest(id, [first, second], { expectedVersion: 'no_stream' }));
    expect(result).toMatchObject({ version: 3, outcome: 'appended', previousVersion: 0, created: true });
    expect(result.messages.map((m) => [m.id, m.version, m.role, m.content, m.redacted])).toEqual([
      [first.id, 2, 'user', 'hello', false],
      [second.id, 3, 'assistant', 'world', false],
    ]);
    expect(result.messages[0]?.metadata).toEqual({ model: 'm', tokens: 3 });
    expect(result.messages[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const events = await readAllOf(id);
    expect(events.map((e) => [e.version, e.type])).toEqual([
      [1, 'conversation.started'],
      [2, 'message.appended'],
      [3, 'message.appended'],
    ]);
    expect(events[0]?.data).toEqual({ userId: 'user-1' });
    expect(events[1]?.metadata).toEqual({ userId: 'user-1' });
    expect(events.at(-1)?.position).toBe(result.position);
    const positions = events.map((e) => e.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const info = await log.getConversation(id);
    expect(info).toEqual({
      conversationId: id,
      userId: 'user-1',
      title: null,
      status: 'active',
      version: 3,
      messageCount: 2,
      createdAt: events[0]?.recordedAt,
      lastMessageAt: events[2]?.recordedAt,
      preview: 'world',
      metadata: {},
    });

    const next = await log.append(appendRequest(id, [newMessage('again')], { expectedVersion: 3, userId: 'someone-else' }));
    expect(next).toMatchObject({ version: 4, previousVersion: 3, created: false });
    expect((await log.getConversation(id))?.userId).toBe('user-1');
  });

  it('enforces expected versions', async () => {
    const id = conversationId();
    await expect(log.append(appendRequest(id, [newMessage('x')], { expectedVersion: 'exists' }))).rejects.toMatchObject({
      constructor: VersionConflictError,
      expected: 'exists',
      actual: 0,
    });
    await expect(log.append(appendRequest(id, [newMessage('x')], { expectedVersion: 5 }))).rejects.toMatchObject({
      expected: 5,
      actual: 0,
    });
    await log.append(appendRequest(id, [newMessage('x')], { expectedVersion: 0 }));
    await expect(log.append(appendRequest(id, [newMessage('y')], { expectedVersion: 'no_stream' }))).rejects.toMatchObject({
      constructor: VersionConflictError,
      expected: 'no_stream',
      actual: 2,
    });
    await expect(log.append(appendRequest(id, [newMessage('y')], { expectedVersion: 1 }))).rejects.toMatchObject({ expected: 1, actual: 2 });
    await expect(log.append(appendRequest(id, [newMessage('y')], { expectedVersion: 'exists' }))).resolves.toMatchObject({ version: 3 });
    await expect(log.append(appendRequest(id, [newMessage('z')], { expectedVersion: 3 }))).resolves.toMatchObject({ version: 4 });
    await expect(log.append(appendRequest(id, [newMessage('z')], { expectedVersion: Number.MAX_SAFE_INTEGER }))).rejects.toMatchObject({
      constructor: VersionConflictError,
      expected: Number.MAX_SAFE_INTEGER,
      actual: 4,
    });
    expect((await readAllOf(id)).map((e) => e.version)).toEqual([1, 2, 3, 4]);
  });

  it('returns already_appended for a retry, before checking the (now stale) expected version', async () => {
    const id = conversationId();
    const batch = [newMessage('a', { metadata: { k: [1, 2] } }), newMessage('b')];
    const original = await log.append(appendRequest(id, batch, { expectedVersion: 'no_stream' }));
    await log.append(appendRequest(id, [newMessage('later')]));

    const retry = await log.append(appendRequest(id, batch, { expectedVersion: 'no_stream' }));
    expect(retry).toEqual({ ...original, outcome: 'already_appended', previousVersion: 3, created: false });

    // A message redacted since still recognises its retry (the hash was kept at append time).
    await log.control({ conversationId: id, eventId: crypto.randomUUID(), event: { type: 'message.redacted', messageId: batch[0]!.id, mode: 'mask', reason: 'r', by: null }, metadata: {} });
    const afterRedaction = await log.append(appendRequest(id, batch));
    expect(afterRedaction).toMatchObject({ outcome: 'already_appended', version: 3 });
    expect(afterRedaction.messages[0]).toMatchObject({ content: '', redacted: true });

    await expect(log.append(appendRequest(id, [batch[1]!, newMessage('new')]))).rejects.toMatchObject({
      constructor: IdempotencyConflictError,
      messageId: batch[1]!.id,
    });
    await expect(log.append(appendRequest(id, [newMessage('other content', { id: batch[1]!.id })]))).rejects.toMatchObject({
      constructor: IdempotencyConflictError,
      messageId: batch[1]!.id,
    });
    expect((await log.getConversation(id))?.version).toBe(5);
  });

  it('reads forward and backward with the true head, and tails without purged messages', async () => {
    const id = conversationId();
    const messages = Array.from({ length: 6 }, (_, i) => newMessage(`m${i}`));
    await log.append(appendRequest(id, messages));
    const forward = await log.read(id, { fromVersion: 2, toVersion: 4, direction: 'forward', limit: 10 });
    expect(forward?.version).toBe(7);
    expect(forward?.events.map((e) => e.version)).toEqual([2, 3, 4]);
    const backward = await log.read(id, { fromVersion: Number.MAX_SAFE_INTEGER, toVersion: 1, direction: 'backward', limit: 3 });
    expect(backward?.events.map((e) => e.version)).toEqual([7, 6, 5]);
    const empty = await log.read(id, { fromVersion: 9, toVersion: 20, direction: 'forward', limit: 10 });
    expect(empty).toEqual({ version: 7, events: [] });
    expect(await log.read(conversationId(), { fromVersion: 1, toVersion: 2, direction: 'forward', limit: 1 })).toBeNull();

    await log.control({ conversationId: id, eventId: crypto.randomUUID(), event: { type: 'message.redacted', messageId: messages[5]!.id, mode: 'purge', reason: 'gdpr', by: 'ops' }, metadata: {} });
    await log.control({ conversationId: id, eventId: crypto.randomUUID(), event: { type: 'message.redacted', messageId: messages[4]!.id, mode: 'mask', reason: 'pii', by: null }, metadata: {} });
    const tail = await log.tail(id, 3);
    expect(tail).toMatchObject({ status: 'active', version: 9 });
    expect(tail?.messages.map((m) => [m.content, m.version, m.redacted])).toEqual([
      ['m2', 4, false],
      ['m3', 5, false],
      ['', 6, true],
    ]);
    expect(tail?.position).toBe((await readAllOf(id)).at(-1)?.position);
    expect(await log.tail(conversationId(), 5)).toBeNull();
  });

  it('redacts in place: content gone from events, search and preview; same or weaker mode is a no-op', async () => {
    const id = conversationId();
    const secret = newMessage('my zebrasecret number', { metadata: { tool: 'zebrasecret' } });
    const last = newMessage('the very last words');
    await log.append(appendRequest(id, [newMessage('earlier words'), secret, last]));
    expect((await log.listConversations({ search: 'zebrasec', limit: 10 })).items.map((c) => c.conversationId)).toEqual([id]);

    const redact = (messageId: string, mode: 'mask' | 'purge') =>
      log.control({ conversationId: id, eventId: crypto.randomUUID(), event: { type: 'message.redacted', messageId, mode, reason: 'test', by: 'me' }, metadata: { requestId: 'r1' } });

    const masked = await redact(secret.id, 'mask');
    expect(masked).toMatchObject({ conversationId: id, version: 5, changed: true });
    expect(await redact(secret.id, 'mask')).toMatchObject({ version: 5, changed: false });
    const purged = await redact(secret.id, 'purge');
    expect(purged).toMatchObject({ version: 6, changed: true });
    expect(await redact(secret.id, 'mask')).toMatchObject({ version: 6, changed: false });

    const events = await readAllOf(id);
    const stored = events.find((e) => e.eventId === secret.id);
    expect(stored?.data).toEqual({ role: 'user', content: '', metadata: {}, redacted: 'purge' });
    expect(JSON.stringify(events)).not.toContain('zebrasecret');
    expect(events.at(-1)).toMatchObject({ type: 'message.redacted', data: { messageId: secret.id, mode: 'purge', reason: 'test', by: 'me' }, metadata: { requestId: 'r1' } });
    expect((await log.listConversations({ search: 'zebrasec', limit: 10 })).items).toEqual([]);

    expect((await log.getConversation(id))?.preview).toBe('the very last words');
    await redact(last.id, 'mask');
    const info = await log.getConversation(id);
    expect(info).toMatchObject({ preview: 'earlier words', messageCount: 3 });

    await expect(redact(crypto.randomUUID(), 'mask')).rejects.toMatchObject({ constructor: ValidationError, field: 'messageId' });
    await expect(redact('not-a-uuid', 'mask')).rejects.toMatchObject({ constructor: ValidationError, field: 'messageId' });
  });

  it('renames, soft-deletes (twice is a no-op), and hard-deletes', async () => {
    const id = conversationId();
    const message = newMessage('to be deleted');
    await log.append(appendRequest(id, [message]));
    const control = (event: Parameters<EventLog['control']>[0]['event'], cid = id) =>
      log.control({ conversationId: cid, eventId: crypto.randomUUID(), event, metadata: {} });

    await expect(control({ type: 'conversation.renamed', title: 'Trip to Lisbon' })).resolves.toMatchObject({ version: 3, changed: true });
    expect((await log.getConversation(id))?.title).toBe('Trip to Lisbon');
    await expect(control({ type: 'conversation.renamed', title: 'x' }, conversationId())).rejects.toBeInstanceOf(ConversationNotFoundError);

    await expect(control({ type: 'conversation.deleted' })).resolves.toMatchObject({ version: 4, changed: true });
    await expect(control({ type: 'conversation.deleted' })).resolves.toMatchObject({ version: 4, changed: false });
    expect((await log.getConversation(id))?.status).toBe('deleted');
    await expect(log.append(appendRequest(id, [newMessage('no')]))).rejects.toBeInstanceOf(ConversationDeletedError);
    await expect(log.append(appendRequest(id, [message]))).rejects.toBeInstanceOf(ConversationDeletedError);
    await expect(control({ type: 'conversation.renamed', title: 'y' })).rejects.toBeInstanceOf(ConversationDeletedError);
    await expect(control({ type: 'message.redacted', messageId: message.id, mode: 'mask', reason: 'r', by: null })).resolves.toMatchObject({ version: 5 });
    expect((await log.tail(id, 5))?.status).toBe('deleted');

    const last = (await readAllOf(id)).at(-1)?.position;
    await expect(log.hardDelete(id)).resolves.toEqual({ position: last });
    await expect(log.hardDelete(id)).resolves.toBeNull();
    expect(await log.getConversation(id)).toBeNull();
    expect(await log.read(id, { fromVersion: 1, toVersion: 10, direction: 'forward', limit: 10 })).toBeNull();
    // The id is free again.
    await expect(log.append(appendRequest(id, [message], { expectedVersion: 'no_stream' }))).resolves.toMatchObject({ version: 2, created: true });
  });

  it('lists newest first with stable cursors, by user, without deleted unless asked, and searches', async () => {
    const user = `lister-${crypto.randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = conversationId('list');
      ids.push(id);
      await log.append(appendRequest(id, [newMessage(i === 2 ? 'Quokka habitat notes' : `plain ${i}`)], { userId: user }));
    }
    await log.control({ conversationId: ids[4]!, eventId: crypto.randomUUID(), event: { type: 'conversation.renamed', title: 'Quokkas and wombats' }, metadata: {} });
    await log.control({ conversationId: ids[3]!, eventId: crypto.randomUUID(), event: { type: 'conversation.deleted' }, metadata: {} });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.listConversations({ userId: user, limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.conversationId));
      cursor = page.nextCursor;
      if (cursor === undefined) expect(page.items.length).toBeLessThanOrEqual(2);
    } while (cursor !== undefined);
    expect(seen).toEqual([ids[4], ids[2], ids[1], ids[0]]);

    const all = await log.listConversations({ userId: user, limit: 10, includeDeleted: true });
    expect(all.items.map((c) => c.conversationId)).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
    expect(all.nextCursor).toBeUndefined();

    const search = async (text: string) =>
      (await log.listConversations({ userId: user, search: text, limit: 10 })).items.map((c) => c.conversationId);
    expect(await search('quokk')).toEqual([ids[4], ids[2]]);
    expect(await search('QUOKKA habitat')).toEqual([ids[2]]);
    expect(await search('wombats quok')).toEqual([ids[4]]);
    // Every word must be in the title or in ONE message.
    expect(await search('habitat wombats')).toEqual([]);
    expect(await search("quokka & | ! :* (habitat)' \\")).toEqual([ids[2]]);
    expect(await search('!!!')).toEqual([]);

    await expect(log.listConversations({ limit: 2, cursor: 'garbage' })).rejects.toMatchObject({ field: 'cursor' });
  });

  it('reads every event in commit order from a checkpoint and wakes listeners on commit', async () => {
    const start = await log.endCheckpoint();
    const wakes: (() => void)[] = [];
    const nextWake = () => new Promise<void>((resolve) => wakes.push(resolve));
    let woken = nextWake();
    const stop = log.onWake(() => wakes.shift()?.());
    await woken; // LISTEN is in place
    const id = conversationId('all');
    woken = nextWake();
    await log.append(appendRequest(id, [newMessage('ping')]));
    await woken;
    stop();

    await log.append(appendRequest(id, [newMessage('pong')]));
    const mineOf = (events: StoredEvent[]) => events.filter((e) => e.conversationId === id);
    const { events } = await readAllUntil(log, start, (all) => mineOf(all).length === 3);
    expect(mineOf(events).map((e) => [e.version, e.type])).toEqual([
      [1, 'conversation.started'],
      [2, 'message.appended'],
      [3, 'message.appended'],
    ]);
    const positions = events.map((e) => e.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect((await log.readAll('start', 1)).events).toHaveLength(1);
    await expect(log.readAll('bogus', 1)).rejects.toBeInstanceOf(ValidationError);
  });

  it("an 'end' checkpoint skips what committed before it, even while an older transaction holds delivery back", async () => {
    // A transaction with an id, open elsewhere: everything committed after it starts sorts at or
    // above the snapshot's xmin, so the checkpoint alone can't tell before from after.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      const before = conversationId('before');
      await log.append(appendRequest(before, [newMessage('committed before the subscription')]));
      const end = await log.endCheckpoint();
      const after = conversationId('after');
      await log.append(appendRequest(after, [newMessage('committed after it')]));
      await holder.query('COMMIT');
      const { events, checkpoint } = await readAllUntil(log, end, (all) => all.filter((e) => e.conversationId === after).length === 2);
      expect(events.filter((e) => e.conversationId === before)).toEqual([]);
      // Past the snapshot's horizon, the checkpoint is a plain one again.
      expect(checkpoint).not.toContain('@');
      const later = conversationId('later');
      await log.append(appendRequest(later, [newMessage('later')]));
      const next = await readAllUntil(log, checkpoint, (all) => all.some((e) => e.conversationId === later));
      expect(next.events.some((e) => e.conversationId === before || e.conversationId === after)).toBe(false);
    } finally {
      await holder.end();
    }
  });

  it("works on an application's pool, and leaves it open on close", async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const appLog = createPostgresLog({ pool });
      const wakes: (() => void)[] = [];
      const nextWake = () => new Promise<void>((resolve) => wakes.push(resolve));
      const woken = nextWake();
      appLog.onWake(() => wakes.shift()?.());
      await woken; // its LISTEN connection was built from the pool's settings
      const id = conversationId('app');
      await appLog.append(appendRequest(id, [newMessage('via the app pool')]));
      await appLog.close();
      const rows = await pool.query<{ n: number }>('SELECT message_count AS n FROM conversations WHERE id = $1', [id]);
      expect(rows.rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
