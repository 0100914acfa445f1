import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, VersionConflictError } from '../../errors/errors.js';
import type { ConversationStore } from '../../store/types.js';
import { assistant, logged, newId, user, type ContractTarget } from './target.js';

export function appendContract(target: ContractTarget): void {
  describe(`${target.name}: append`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it('creates a conversation: conversation.started is version 1, messages follow', async () => {
      const id = newId();
      const result = await store.append(id, [user('hello'), assistant('hi there')], { userId: 'u1' });
      expect(result).toMatchObject({ conversationId: id, version: 3, outcome: 'appended' });
      expect(typeof result.position).toBe('number');
      expect(result.messages.map((m) => [m.version, m.role, m.content])).toEqual([
        [2, 'user', 'hello'],
        [3, 'assistant', 'hi there'],
      ]);
      const { events, version } = await store.read(id);
      expect(version).toBe(3);
      expect(events.map((e) => [e.version, e.type])).toEqual([
        [1, 'conversation.started'],
        [2, 'message.appended'],
        [3, 'message.appended'],
      ]);
      expect(events[0]?.data).toEqual({ userId: 'u1' });
      expect(events[2]?.position).toBe(result.position);
      expect(events[0]!.position).toBeLessThan(events[1]!.position);
      expect(new Date(events[0]!.recordedAt).toISOString()).toBe(events[0]!.recordedAt);
    });

    it('returns the head version and the last position on a later append', async () => {
      const id = newId();
      await store.append(id, user('one'));
      const second = logged(await store.append(id, user('two')));
      expect(second.version).toBe(3);
      const third = logged(await store.append(id, [assistant('three'), user('four')]));
      expect(third.version).toBe(5);
      expect(third.position).toBeGreaterThan(second.position);
    });

    it('keeps message ids, metadata and generates UUIDv7 ids when absent', async () => {
      const id = newId();
      const given = randomUUID();
      const metadata = { model: 'gpt-x', tokens: { input: 12, output: 40 }, latencyMs: 812, toolCalls: [{ name: 'search', arguments: '{"q":"x"}' }] };
      const result = await store.append(id, [user('q', { id: given }), assistant('a', { metadata })]);
      expect(result.messages[0]?.id).toBe(given);
      expect(result.messages[1]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const tail = await store.tail(id);
      expect(tail[1]?.metadata).toEqual(metadata);
      expect(tail[1]).toMatchObject({ conversationId: id, role: 'assistant', redacted: false });
    });

    it('puts opts.metadata and userId on the event, not the message; ownership stays with the first user', async () => {
      const id = newId();
      await store.append(id, user('mine'), { userId: 'alice', metadata: { requestId: 'r1', correlationId: 'c1' } });
      await store.append(id, user('also'), { userId: 'bob', metadata: { causationId: 'x' } });
      const info = await store.getConversation(id);
      expect(info?.userId).toBe('alice');
      const { events } = await store.read(id);
      expect(events[1]?.metadata).toMatchObject({ userId: 'alice', requestId: 'r1', correlationId: 'c1' });
      expect(events[2]?.metadata).toMatchObject({ userId: 'bob', causationId: 'x' });
      expect(events[2]?.data).not.toHaveProperty('userId');
    });

    describe('expected version', () => {
      it("'no_stream' and 0 succeed on a new conversation and conflict on an existing one", async () => {
        const id = newId();
        await store.append(id, user('a'), { expectedVersion: 'no_stream' });
        const error = await store.append(id, user('b'), { expectedVersion: 0 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VersionConflictError);
        expect(error).toMatchObject({ code: 'VERSION_CONFLICT', expected: 'no_stream', actual: 2 });
        await expect(store.append(newId(), user('c'), { expectedVersion: 0 })).resolves.toMatchObject({ version: 2 });
      });

      it("'exists' on a missing conversation conflicts with actual 0", async () => {
        const id = newId();
        const error = await store.append(id, user('a'), { expectedVersion: 'exists' }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'VERSION_CONFLICT', expected: 'exists', actual: 0 });
        expect(await store.getConversation(id)).toBeNull();
        await store.append(id, user('a'));
        await expect(store.append(id, user('b'), { expectedVersion: 'exists' })).resolves.toMatchObject({ version: 3 });
      });

      it('an exact version is the version before the append', async () => {
        const id = newId();
        await store.append(id, user('a'));
        await expect(store.append(id, user('b'), { expectedVersion: 2 })).resolves.toMatchObject({ version: 3 });
        const error = await store.append(id, user('c'), { expectedVersion: 2 }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'VERSION_CONFLICT', expected: 2, actual: 3 });
        expect((await store.read(id)).version).toBe(3);
      });
    });

    describe('idempotency', () => {
      it('a retry with the same ids returns already_appended and the original versions, even with a stale expected version', async () => {
        const id = newId();
        const batch = [user('q', { id: randomUUID() }), assistant('a', { id: randomUUID(), metadata: { b: 1, a: 2 } })];
        const first = await store.append(id, batch, { expectedVersion: 'no_stream' });
        await store.append(id, user('later'));
        const retry = await store.append(id, [batch[0]!, { ...batch[1]!, metadata: { a: 2, b: 1 } }], { expectedVersion: 'no_stream' });
        expect(retry.outcome).toBe('already_appended');
        expect(retry.version).toBe(first.version);
        expect(retry.position).toBe(first.position);
        expect(retry.messages.map((m) => m.id)).toEqual(first.messages.map((m) => m.id));
        expect((await store.read(id)).version).toBe(4);
      });

      it('the same id with other content, or a batch that is partly stored, is an IdempotencyConflictError', async () => {
        const id = newId();
        const known = randomUUID();
        await store.append(id, user('original', { id: known }));
        await expect(store.append(id, user('changed', { id: known }))).rejects.toBeInstanceOf(IdempotencyConflictError);
        await expect(store.append(id, assistant('original', { id: known }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
        await expect(store.append(id, user('original', { id: known, metadata: { x: 1 } }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
        await expect(store.append(id, [user('original', { id: known }), user('new', { id: randomUUID() })])).rejects.toMatchObject({
          code: 'IDEMPOTENCY_CONFLICT',
        });
        expect((await store.read(id)).version).toBe(2);
      });

      it('a redacted message still recognises its retry', async () => {
        const id = newId();
        const messageId = randomUUID();
        const first = await store.append(id, user('secret', { id: messageId }));
        await store.redact(id, messageId, { mode: 'mask', reason: 'test' });
        const retry = await store.append(id, user('secret', { id: messageId }));
        expect(retry).toMatchObject({ outcome: 'already_appended', version: first.version });
      });

      it("keeps ids as the caller has them (the AI SDK's, OpenAI's, LangChain's), and a retry by such an id is idempotent", async () => {
        const id = newId();
        const ids = [`msg-${randomUUID().slice(0, 16)}`, `chatcmpl-${randomUUID()}`, `run-${randomUUID()}-0`, 'Ünïcode {id}: 1'];
        const batch = ids.map((messageId, i) => (i % 2 === 0 ? user(`q${i}`, { id: messageId }) : assistant(`a${i}`, { id: messageId })));
        const first = await store.append(id, batch);
        expect(first.messages.map((m) => m.id)).toEqual(ids);
        expect((await store.tail(id)).map((m) => m.id)).toEqual(ids);
        expect((await store.read(id)).events.slice(1).map((e) => e.eventId)).toEqual(ids);
        const retry = await store.append(id, batch);
        expect(retry).toMatchObject({ outcome: 'already_appended', version: first.version, position: first.position });
        expect(retry.messages.map((m) => m.id)).toEqual(ids);
        await expect(store.append(id, user('other', { id: ids[0] }))).rejects.toBeInstanceOf(IdempotencyConflictError);
        // Ids are compared exactly: another case is another id.
        await expect(store.append(id, user('q0', { id: ids[0]!.toUpperCase() }))).resolves.toMatchObject({ outcome: 'appended' });
        await store.redact(id, ids[1]!, { mode: 'mask', reason: 'test' });
        expect((await store.tail(id)).find((m) => m.id === ids[1])).toMatchObject({ content: '', redacted: true });
      });

      it('message ids are unique per conversation, not globally', async () => {
        const shared = randomUUID();
        await store.append(newId(), user('x', { id: shared }));
        await expect(store.append(newId(), user('x', { id: shared }))).resolves.toMatchObject({ outcome: 'appended' });
      });
    });

    it("parallel 'any' appends from separate instances never conflict and never lose a message", async () => {
      const id = newId();
      await store.append(id, user('start'));
      const others = await Promise.all([target.open(), target.open()]);
      try {
        const writers = [store, ...others];
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => writers[i % writers.length]!.append(id, user(`m${i}`), { expectedVersion: 'any' })),
        );
        const versions = results.map((r) => logged(r).version).sort((a, b) => a - b);
        expect(versions).toEqual(Array.from({ length: 30 }, (_, i) => i + 3));
        const { events, version } = await store.read(id);
        expect(version).toBe(32);
        expect(events.map((e) => e.version)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
        expect(new Set(events.map((e) => e.eventId)).size).toBe(32);
      } finally {
        await Promise.all(others.map((s) => s.close()));
      }
    });
  });
}
