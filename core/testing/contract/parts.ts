import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, ValidationError } from '../../errors/errors.js';
import type { MessageInput, MessagePart } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import { assistant, newId, user, type ContractTarget } from './target.js';

/** An AI SDK-style assistant message: reasoning, a tool call and its result, then text. */
function uiParts(word: string): MessagePart[] {
  return [
    { type: 'step-start' },
    { type: 'reasoning', text: 'thinking it over', providerMetadata: { openai: { itemId: 'rs_1' } } },
    { type: 'tool-weather', toolCallId: 'call_1', state: 'output-available', input: { city: 'Lisbon' }, output: { celsius: 21.5, sunny: true } },
    { type: 'text', text: `It is ${word} ` },
    { type: 'text', text: 'in Lisbon.', state: 'done' },
  ];
}

export function partsContract(target: ContractTarget): void {
  describe(`${target.name}: message parts`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it('stores parts as given; content is derived from the text parts and feeds search and the preview', async () => {
      const id = newId();
      const word = `sunnyword${randomUUID().slice(0, 8)}`;
      const parts = uiParts(word);
      const message: MessageInput = { role: 'assistant', parts, id: `msg-${randomUUID()}` };
      const result = await store.append(id, [user('weather?'), message]);
      expect(result.messages[1]).toMatchObject({ content: `It is ${word} in Lisbon.`, parts });
      expect(result.messages[0]).not.toHaveProperty('parts');
      for (let i = 0; i < 2; i++) {
        // Twice: the first read may fill the cache tiers, the second is served from them.
        const tail = await store.tail(id);
        expect(tail[1]).toMatchObject({ id: message.id, content: `It is ${word} in Lisbon.`, parts });
        expect(tail[0]).not.toHaveProperty('parts');
      }
      const { events } = await store.read(id);
      expect(events[2]).toMatchObject({ type: 'message.appended', data: { role: 'assistant', content: `It is ${word} in Lisbon.`, parts, metadata: {} } });
      expect(events[1]?.data).not.toHaveProperty('parts');
      expect((await store.stateAt(id, 3)).messages[1]?.parts).toEqual(parts);
      expect((await store.getConversation(id))?.preview).toBe(`It is ${word} in Lisbon.`);
      expect((await store.listConversations({ search: word })).items.map((c) => c.conversationId)).toEqual([id]);
      const report = await store.cache.inspect(id);
      expect(['consistent', 'disabled']).toContain(report.verdict);

      // Another instance without an L1 reads what the shared tier holds (Redis, in hybrid mode).
      const other = await target.open({ cache: { l1: false } });
      try {
        const read = await other.tailWithSource(id);
        expect(read.messages[1]).toMatchObject({ id: message.id, parts });
        if (store.mode.startsWith('hybrid')) expect(read.source).toBe('redis');
      } finally {
        await other.close();
      }
    });

    it('keeps content as given when both are given; no text parts and no content gives empty content', async () => {
      const id = newId();
      const both = assistant('the summary', { parts: [{ type: 'text', text: 'the long version' }] });
      const toolOnly: MessageInput = { role: 'tool', parts: [{ type: 'tool-result', toolCallId: 'c1', output: [1, 2, 3] }] };
      const emptyParts: MessageInput = { role: 'assistant', parts: [] };
      const { messages } = await store.append(id, [both, toolOnly, emptyParts]);
      expect(messages.map((m) => [m.content, m.parts])).toEqual([
        ['the summary', [{ type: 'text', text: 'the long version' }]],
        ['', [{ type: 'tool-result', toolCallId: 'c1', output: [1, 2, 3] }]],
        ['', []],
      ]);
      expect((await store.tail(id)).map((m) => m.parts)).toEqual(messages.map((m) => m.parts));
    });

    it('a 200 KB image part is content, not metadata: accepted with the default limits', async () => {
      const id = newId();
      const image = `data:image/png;base64,${Buffer.alloc(150 * 1024, 7).toString('base64')}`;
      expect(image.length).toBeGreaterThan(200 * 1024);
      const parts: MessagePart[] = [{ type: 'text', text: 'what is this?' }, { type: 'file', mediaType: 'image/png', url: image }];
      await store.append(id, { role: 'user', parts });
      expect((await store.tail(id))[0]?.parts).toEqual(parts);
    });

    it('content and serialised parts share maxContentBytes', async () => {
      const limited = await target.open({ limits: { maxContentBytes: 1000 } });
      try {
        const id = newId();
        const big: MessagePart = { type: 'data-blob', value: 'x'.repeat(600) };
        await expect(limited.append(id, user('y'.repeat(500), { parts: [big] }))).rejects.toMatchObject({ constructor: ValidationError, field: 'parts' });
        await expect(limited.append(id, { role: 'user', parts: [big, big] })).rejects.toMatchObject({ field: 'parts' });
        expect(await limited.getConversation(id)).toBeNull();
        await expect(limited.append(id, user('y'.repeat(100), { parts: [big] }))).resolves.toMatchObject({ outcome: 'appended' });
      } finally {
        await limited.close();
      }
    });

    it('parts are part of the idempotency check (key order aside)', async () => {
      const id = newId();
      const messageId = `msg-${randomUUID()}`;
      const first = await store.append(id, { role: 'assistant', id: messageId, parts: [{ type: 'text', text: 'hi', state: 'done' }] });
      const retry = await store.append(id, { role: 'assistant', id: messageId, parts: [{ state: 'done', text: 'hi', type: 'text' }] });
      expect(retry).toMatchObject({ outcome: 'already_appended', version: first.version });
      expect(retry.messages[0]?.parts).toEqual([{ type: 'text', text: 'hi', state: 'done' }]);
      const changed = store.append(id, { role: 'assistant', id: messageId, parts: [{ type: 'text', text: 'hi', state: 'streaming' }] });
      await expect(changed).rejects.toBeInstanceOf(IdempotencyConflictError);
      // Same derived content, but given as content rather than parts: another message.
      await expect(store.append(id, assistant('hi', { id: messageId }))).rejects.toBeInstanceOf(IdempotencyConflictError);
    });

    it('a message with parts recognises its retry after a revision and a redaction, and still refuses another body', async () => {
      const id = newId();
      const messageId = `msg-${randomUUID()}`;
      const original: MessageInput = { role: 'assistant', id: messageId, parts: uiParts('warm'), metadata: { model: 'm', step: 1 } };
      const first = await store.append(id, original);
      await store.revise(id, messageId, { content: 'revised' });
      const afterRevision = await store.append(id, original);
      expect(afterRevision).toMatchObject({ outcome: 'already_appended', version: first.version });
      await store.redact(id, messageId, { mode: 'mask', reason: 'test' });
      await store.redact(id, messageId, { mode: 'purge', reason: 'test' });
      await expect(store.append(id, original)).resolves.toMatchObject({ outcome: 'already_appended', version: first.version });
      const otherParts = store.append(id, { ...original, parts: uiParts('cold') });
      await expect(otherParts).rejects.toBeInstanceOf(IdempotencyConflictError);
      const otherMetadata = store.append(id, { ...original, metadata: { model: 'm', step: 2 } });
      await expect(otherMetadata).rejects.toBeInstanceOf(IdempotencyConflictError);
    });

    it('a redaction removes the parts with the text', async () => {
      const id = newId();
      const secret = `partsecret${randomUUID().slice(0, 8)}`;
      const { messages } = await store.append(id, [
        { role: 'user', parts: [{ type: 'text', text: `my pin is ${secret}` }, { type: 'data-note', note: secret }] },
        assistant('ok'),
      ]);
      await store.tail(id);
      await store.redact(id, messages[0]!.id, { mode: 'mask', reason: 'PII' });
      const tail = await store.tail(id);
      expect(tail[0]).toMatchObject({ content: '', redacted: true });
      expect(tail[0]).not.toHaveProperty('parts');
      expect(JSON.stringify((await store.read(id)).events)).not.toContain(secret);
      expect((await store.stateAt(id, 3)).messages[0]).not.toHaveProperty('parts');
      expect((await store.listConversations({ search: secret })).items).toEqual([]);
    });

    it('malformed parts are refused, naming the field', async () => {
      const id = newId();
      const bad: unknown[] = [
        { role: 'user', parts: 'text' },
        { role: 'user', parts: [null] },
        { role: 'user', parts: [['text']] },
        { role: 'user', parts: [{ text: 'no type' }] },
        { role: 'user', parts: [{ type: 7 }] },
        { role: 'user', parts: [{ type: 'text', text: 42 }] },
        { role: 'user', parts: [{ type: 'text', text: 'bell\u0007' }] },
        { role: 'user', parts: [{ type: 'data', value: () => 1 }] },
        { role: 'user', parts: [{ type: 'data', value: Number.NaN }] },
      ];
      for (const message of bad) {
        await expect(store.append(id, message as MessageInput)).rejects.toMatchObject({ constructor: ValidationError, field: 'parts' });
      }
      await expect(store.append(id, { role: 'user' })).rejects.toMatchObject({ field: 'content' });
      expect(await store.getConversation(id)).toBeNull();
    });
  });
}
