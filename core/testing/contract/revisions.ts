import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDeletedError, ConversationNotFoundError, IdempotencyConflictError, ValidationError } from '../../errors/errors.js';
import type { MessagePart } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import { assistant, newId, user, type ContractTarget } from './target.js';

const word = (prefix: string): string => `${prefix}${randomUUID().slice(0, 8)}`;

export function revisionContract(target: ContractTarget): void {
  describe(`${target.name}: revise and retract`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it('revise keeps the id and place; tails, stateAt from then on, search and the preview show the revision; read shows both', async () => {
      const id = newId();
      const before = word('draftword');
      const after = word('finalword');
      const messageId = `msg-${randomUUID()}`;
      const metadata = { model: 'm1', tokens: 10 };
      await store.append(id, [user('question'), assistant(`a ${before}`, { id: messageId, metadata })]);
      await store.tail(id); // warm the cache tiers
      const parts: MessagePart[] = [{ type: 'text', text: `a ${after}` }, { type: 'source-url', url: 'https://example.com' }];
      const result = await store.revise(id, messageId, { parts }, { userId: 'editor', metadata: { requestId: 'r9' } });
      expect(result).toMatchObject({ conversationId: id, version: 4 });

      for (let i = 0; i < 2; i++) {
        const tail = await store.tail(id);
        expect(tail.map((m) => [m.id, m.version, m.content])).toEqual([
          [tail[0]!.id, 2, 'question'],
          [messageId, 3, `a ${after}`],
        ]);
        expect(tail[1]).toMatchObject({ parts, metadata, redacted: false });
      }
      const { events } = await store.read(id);
      expect(events.map((e) => e.type)).toEqual(['conversation.started', 'message.appended', 'message.appended', 'message.revised']);
      expect(events[2]?.data).toEqual({ role: 'assistant', content: `a ${before}`, metadata });
      expect(events[3]).toMatchObject({ type: 'message.revised', position: result.position, data: { messageId, content: `a ${after}`, parts }, metadata: { userId: 'editor', requestId: 'r9' } });
      expect(events[3]?.data).not.toHaveProperty('metadata');
      expect((await store.stateAt(id, 3)).messages[1]).toMatchObject({ id: messageId, content: `a ${before}` });
      expect((await store.stateAt(id, 3)).messages[1]).not.toHaveProperty('parts');
      expect((await store.stateAt(id, 4)).messages[1]).toMatchObject({ id: messageId, version: 3, content: `a ${after}`, parts, metadata });
      expect((await store.getConversation(id))?.preview).toBe(`a ${after}`);
      expect((await store.listConversations({ search: after })).items.map((c) => c.conversationId)).toEqual([id]);
      expect((await store.listConversations({ search: before })).items).toEqual([]);
      expect((await store.getConversation(id))?.messageCount).toBe(2);

      // Given metadata replaces the message's; a revision without parts leaves none.
      await store.revise(id, messageId, { content: 'third take', metadata: { model: 'm2' } });
      const [, revised] = await store.tail(id);
      expect(revised).toMatchObject({ content: 'third take', metadata: { model: 'm2' } });
      expect(revised).not.toHaveProperty('parts');
      expect((await store.stateAt(id, 5)).messages[1]).toEqual(revised);
      const report = await store.cache.inspect(id);
      expect(['consistent', 'disabled']).toContain(report.verdict);
    });

    it('revising an earlier message leaves the preview on the last one', async () => {
      const id = newId();
      const { messages } = await store.append(id, [user('first'), assistant('last words')]);
      await store.revise(id, messages[0]!.id, { content: 'first, revised' });
      expect((await store.getConversation(id))?.preview).toBe('last words');
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['first, revised', 'last words']);
    });

    it('a revision is idempotent by its event id; the same id with another payload conflicts', async () => {
      const id = newId();
      const { messages } = await store.append(id, [user('q'), assistant('draft')]);
      const target = messages[1]!.id;
      const eventId = `rev-${randomUUID()}`;
      const revision = { content: 'final', parts: [{ type: 'text', text: 'final', state: 'done' }], metadata: { b: 1, a: 2 } };
      const first = await store.revise(id, target, revision, { eventId });
      await store.append(id, user('next'));
      const retry = await store.revise(id, target, { ...revision, parts: [{ state: 'done', text: 'final', type: 'text' }], metadata: { a: 2, b: 1 } }, { eventId });
      expect(retry).toEqual(first);
      expect((await store.read(id)).version).toBe(5);
      expect((await store.read(id)).events.filter((e) => e.type === 'message.revised')).toHaveLength(1);
      await expect(store.revise(id, target, { content: 'other' }, { eventId })).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(store.retract(id, target, { eventId })).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
      // An event id names one event in the conversation, whatever its type.
      await expect(store.revise(id, target, { content: 'x' }, { eventId: target })).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect((await store.read(id)).version).toBe(5);
      // Without an event id every call is a new revision.
      await store.revise(id, target, { content: 'again' });
      await store.revise(id, target, { content: 'again' });
      expect((await store.read(id)).version).toBe(7);
    });

    it('refuses revisions of redacted, retracted or unknown messages, and writes to deleted conversations', async () => {
      const id = newId();
      const { messages } = await store.append(id, [user('a'), user('b'), user('c')]);
      await store.redact(id, messages[0]!.id, { mode: 'mask', reason: 'r' });
      const redacted = await store.revise(id, messages[0]!.id, { content: 'x' }).catch((e: unknown) => e);
      expect(redacted).toBeInstanceOf(ValidationError);
      expect(redacted).toMatchObject({ field: 'messageId' });
      await store.retract(id, messages[1]!.id);
      await expect(store.revise(id, messages[1]!.id, { content: 'x' })).rejects.toMatchObject({ constructor: ValidationError, field: 'messageId' });
      await expect(store.revise(id, `msg-${randomUUID()}`, { content: 'x' })).rejects.toMatchObject({ constructor: ValidationError, field: 'messageId' });
      await expect(store.retract(id, `msg-${randomUUID()}`)).rejects.toMatchObject({ constructor: ValidationError, field: 'messageId' });
      await expect(store.revise(newId(), messages[2]!.id, { content: 'x' })).rejects.toBeInstanceOf(ConversationNotFoundError);
      await expect(store.revise(id, messages[2]!.id, {})).rejects.toMatchObject({ field: 'content' });
      await expect(store.revise(id, messages[2]!.id, { parts: [{ text: 'no type' }] as never })).rejects.toMatchObject({ field: 'parts' });
      await expect(store.revise(id, messages[2]!.id, { content: 'x' }, { eventId: ' padded' })).rejects.toMatchObject({ field: 'eventId' });
      await expect(store.revise(id, '', { content: 'x' })).rejects.toMatchObject({ field: 'messageId' });
      const head = (await store.read(id)).version;
      await store.deleteConversation(id);
      await expect(store.revise(id, messages[2]!.id, { content: 'x' })).rejects.toBeInstanceOf(ConversationDeletedError);
      await expect(store.retract(id, messages[2]!.id)).rejects.toBeInstanceOf(ConversationDeletedError);
      expect((await store.read(id)).version).toBe(head + 1);
    });

    it('a redaction after a revision removes every version of the text', async () => {
      const id = newId();
      const first = word('origsecret');
      const second = word('revsecret');
      const { messages } = await store.append(id, [user(`card ${first}`, { metadata: { k: 1 } }), assistant('ok')]);
      const target = messages[0]!.id;
      const eventId = `rev-${randomUUID()}`;
      await store.revise(id, target, { content: `card ${second}`, parts: [{ type: 'text', text: `card ${second}` }] }, { eventId });
      await store.tail(id);
      await store.redact(id, target, { mode: 'mask', reason: 'PII' });
      const tail = await store.tail(id);
      expect(tail[0]).toMatchObject({ id: target, content: '', redacted: true, metadata: { k: 1 } });
      expect(tail[0]).not.toHaveProperty('parts');
      const { events } = await store.read(id);
      expect(JSON.stringify(events)).not.toContain(first);
      expect(JSON.stringify(events)).not.toContain(second);
      expect((await store.stateAt(id, 4)).messages[0]).toMatchObject({ content: '', redacted: true });
      expect((await store.listConversations({ search: second })).items).toEqual([]);
      expect((await store.listConversations({ search: first })).items).toEqual([]);
      expect((await store.getConversation(id))?.preview).toBe('ok');
      // The revision's retry is still recognised by its hash.
      await expect(store.revise(id, target, { content: `card ${second}`, parts: [{ type: 'text', text: `card ${second}` }] }, { eventId })).resolves.toMatchObject({ version: 4 });
    });

    it('retract removes the message from tails, stateAt from then on, search and the preview; its text stays in the log', async () => {
      const id = newId();
      const text = word('regenword');
      const { messages } = await store.append(id, [user('question'), assistant(`first try ${text}`)]);
      const target = messages[1]!.id;
      await store.tail(id);
      const result = await store.retract(id, target, { userId: 'ui' });
      expect(result).toMatchObject({ conversationId: id, version: 4 });
      for (let i = 0; i < 2; i++) expect((await store.tail(id)).map((m) => m.content)).toEqual(['question']);
      expect((await store.stateAt(id, 3)).messages.map((m) => m.id)).toEqual([messages[0]!.id, target]);
      expect((await store.stateAt(id, 4)).messages.map((m) => m.id)).toEqual([messages[0]!.id]);
      const { events } = await store.read(id);
      expect(events[3]).toMatchObject({ type: 'message.retracted', data: { messageId: target }, metadata: { userId: 'ui' } });
      expect(events[2]?.data).toMatchObject({ content: `first try ${text}` });
      expect((await store.listConversations({ search: text })).items).toEqual([]);
      expect(await store.getConversation(id)).toMatchObject({ preview: 'question', messageCount: 2 });

      // Twice is a no-op; a new reply takes its place.
      await expect(store.retract(id, target)).resolves.toMatchObject({ version: 4 });
      await store.append(id, assistant('second try'));
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['question', 'second try']);
      const report = await store.cache.inspect(id);
      expect(['consistent', 'disabled']).toContain(report.verdict);
    });

    it('a retraction is idempotent by its event id', async () => {
      const id = newId();
      const { messages } = await store.append(id, [user('a'), assistant('b')]);
      const eventId = `ret-${randomUUID()}`;
      const first = await store.retract(id, messages[1]!.id, { eventId });
      await store.append(id, user('c'));
      await expect(store.retract(id, messages[1]!.id, { eventId })).resolves.toEqual(first);
      await expect(store.retract(id, messages[0]!.id, { eventId })).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect((await store.read(id)).version).toBe(5);
    });
  });
}
