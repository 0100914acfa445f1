import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/errors.js';
import type { MessageInput } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import { newId, user, type ContractTarget } from './target.js';

interface BadCase {
  name: string;
  field: string;
  conversationId?: string;
  message?: unknown;
  options?: Record<string, unknown>;
}

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

const BAD: BadCase[] = [
  { name: 'empty conversation id', field: 'conversationId', conversationId: '' },
  { name: 'conversation id over 256 code points', field: 'conversationId', conversationId: 'x'.repeat(257) },
  { name: 'conversation id with a control character', field: 'conversationId', conversationId: 'a\u0001b' },
  { name: 'conversation id with a C1 control', field: 'conversationId', conversationId: 'a\u0085b' },
  { name: 'conversation id with leading whitespace', field: 'conversationId', conversationId: ' padded' },
  { name: 'conversation id with trailing whitespace', field: 'conversationId', conversationId: 'padded\t' },
  { name: 'unknown role', field: 'role', message: { role: 'wizard', content: 'x' } },
  { name: 'content not a string', field: 'content', message: { role: 'user', content: 42 } },
  { name: 'content over 1 MiB', field: 'content', message: { role: 'user', content: 'é'.repeat(512 * 1024 + 1) } },
  { name: 'content with a NUL', field: 'content', message: { role: 'user', content: 'a\u0000b' } },
  { name: 'content with an escape character', field: 'content', message: { role: 'user', content: 'a\u001bb' } },
  { name: 'content with a lone surrogate', field: 'content', message: { role: 'user', content: 'a\ud800b' } },
  { name: 'message id empty', field: 'id', message: { role: 'user', content: 'x', id: '' } },
  { name: 'message id with trailing whitespace', field: 'id', message: { role: 'user', content: 'x', id: 'msg-1 ' } },
  { name: 'message id with a control character', field: 'id', message: { role: 'user', content: 'x', id: 'msg\u00011' } },
  { name: 'message id over 256 code points', field: 'id', message: { role: 'user', content: 'x', id: 'm'.repeat(257) } },
  { name: 'metadata not an object', field: 'metadata', message: { role: 'user', content: 'x', metadata: [1, 2] } },
  { name: 'metadata with a function', field: 'metadata', message: { role: 'user', content: 'x', metadata: { f: () => 1 } } },
  { name: 'metadata with a bigint', field: 'metadata', message: { role: 'user', content: 'x', metadata: { n: 10n } } },
  { name: 'metadata with NaN', field: 'metadata', message: { role: 'user', content: 'x', metadata: { n: Number.NaN } } },
  { name: 'metadata with a cycle', field: 'metadata', message: { role: 'user', content: 'x', metadata: cyclic } },
  { name: 'metadata over 64 KiB', field: 'metadata', message: { role: 'user', content: 'x', metadata: { big: 'x'.repeat(65 * 1024) } } },
  { name: 'append metadata over 64 KiB', field: 'metadata', options: { metadata: { big: 'x'.repeat(65 * 1024) } } },
  { name: 'userId with a newline', field: 'userId', options: { userId: 'bob\n' } },
  { name: 'empty batch', field: 'messages', message: [] },
  { name: 'batch over 1,000 messages', field: 'messages', message: Array.from({ length: 1001 }, () => ({ role: 'user', content: 'x' })) },
  { name: 'expected version negative', field: 'expectedVersion', options: { expectedVersion: -1 } },
  { name: 'expected version not a number', field: 'expectedVersion', options: { expectedVersion: 'latest' } },
];

export function validationContract(target: ContractTarget): void {
  describe(`${target.name}: bad input is refused before anything is written`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    for (const bad of BAD) {
      it(`${bad.name} → ValidationError(${bad.field})`, async () => {
        const id = bad.conversationId ?? newId();
        const message = (bad.message ?? user('fine')) as MessageInput;
        const error = await store.append(id, message, bad.options).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ code: 'VALIDATION', field: bad.field });
        if (bad.conversationId === undefined) expect(await store.getConversation(id)).toBeNull();
      });
    }

    it('the same id twice in one batch → ValidationError(id), nothing written', async () => {
      const id = newId();
      const dup = randomUUID();
      await expect(store.append(id, [user('a', { id: dup }), user('b', { id: dup })])).rejects.toMatchObject({ field: 'id' });
      expect(await store.getConversation(id)).toBeNull();
    });

    it('a bad message in a batch rejects the whole batch on an existing conversation', async () => {
      const id = newId();
      await store.append(id, user('ok'));
      await expect(store.append(id, [user('fine'), { role: 'user', content: 'bad\u0007' }])).rejects.toMatchObject({ field: 'content' });
      expect((await store.read(id)).version).toBe(2);
    });

    it('ids may hold any printable text, braces and colons included', async () => {
      for (const id of ['{tag}', 'a:b:c', '}{', 'sb:{x}:m', 'ünïcødé 会话 🙂', 'x'.repeat(256)]) {
        await store.append(id, user(`in ${id.length}`));
        expect((await store.tail(id)).map((m) => m.content)).toEqual([`in ${id.length}`]);
        expect((await store.getConversation(id))?.conversationId).toBe(id);
      }
    });

    it('content may hold newlines and tabs', async () => {
      const id = newId();
      await store.append(id, user('line 1\n\tline 2'));
      expect((await store.tail(id))[0]?.content).toBe('line 1\n\tline 2');
    });

    it('other calls validate too', async () => {
      await expect(store.tail('', 5)).rejects.toMatchObject({ field: 'conversationId' });
      await expect(store.tail(newId(), -1)).rejects.toMatchObject({ field: 'n' });
      await expect(store.read(newId(), { direction: 'sideways' as 'forward' })).rejects.toMatchObject({ field: 'direction' });
      await expect(store.stateAt(newId(), -1)).rejects.toMatchObject({ field: 'version' });
      await expect(store.redact(newId(), '', { mode: 'mask', reason: 'r' })).rejects.toMatchObject({ field: 'messageId' });
      await expect(store.redact(newId(), 'msg-1 ', { mode: 'mask', reason: 'r' })).rejects.toMatchObject({ field: 'messageId' });
      await expect(store.redact(newId(), randomUUID(), { mode: 'shred' as 'mask', reason: 'r' })).rejects.toMatchObject({ field: 'mode' });
      await expect(store.listConversations({ userId: ' x' })).rejects.toMatchObject({ field: 'userId' });
    });
  });
}
