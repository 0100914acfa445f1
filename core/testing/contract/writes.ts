import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDeletedError, ConversationNotFoundError } from '../../errors/errors.js';
import type { ConversationStore } from '../../store/types.js';
import { assistant, newId, user, type ContractTarget } from './target.js';

export function writeContract(target: ContractTarget): void {
  describe(`${target.name}: rename, redact, delete`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it('rename appends conversation.renamed and sets the title', async () => {
      const id = newId();
      await store.append(id, user('x'));
      const result = await store.rename(id, 'Trip to Lisbon', { userId: 'editor' });
      expect(result).toMatchObject({ conversationId: id, version: 3 });
      expect((await store.getConversation(id))?.title).toBe('Trip to Lisbon');
      const { events } = await store.read(id, { fromVersion: 3 });
      expect(events[0]).toMatchObject({ type: 'conversation.renamed', data: { title: 'Trip to Lisbon' }, metadata: { userId: 'editor' } });
      await expect(store.rename(newId(), 't')).rejects.toBeInstanceOf(ConversationNotFoundError);
      await expect(store.rename(id, '   ')).rejects.toMatchObject({ field: 'title' });
    });

    it('mask keeps the message in place with empty content; the text is gone from every view and search', async () => {
      const id = newId();
      const owner = `user-${newId()}`;
      const secret = `zebracorn${randomUUID().slice(0, 8)}`;
      const { messages } = await store.append(id, [user(`my card is ${secret}`), assistant('noted')], { userId: owner });
      await store.tail(id); // warm the cache tiers
      const target = messages[0]!.id;
      const result = await store.redact(id, target, { mode: 'mask', reason: 'PII', by: 'ops' });
      expect(result.version).toBe(4);
      const tail = await store.tail(id);
      expect(tail.map((m) => [m.content, m.redacted])).toEqual([
        ['', true],
        ['noted', false],
      ]);
      const { events } = await store.read(id);
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(events[3]).toMatchObject({ type: 'message.redacted', data: { messageId: target, mode: 'mask', reason: 'PII', by: 'ops' } });
      const state = await store.stateAt(id, 3);
      expect(state.messages[0]).toMatchObject({ content: '', redacted: true });
      expect((await store.listConversations({ userId: owner, search: secret })).items).toEqual([]);
      expect((await store.getConversation(id))?.messageCount).toBe(2);
    });

    it('purge drops the message from tail and stateAt; its version stays in the log; preview moves on', async () => {
      const id = newId();
      const { messages } = await store.append(id, [user('keep me'), assistant('purge me please')]);
      await store.tail(id);
      expect((await store.getConversation(id))?.preview).toBe('purge me please');
      await store.redact(id, messages[1]!.id, { mode: 'purge', reason: 'GDPR' });
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['keep me']);
      expect((await store.stateAt(id, 4)).messages.map((m) => m.content)).toEqual(['keep me']);
      const { events } = await store.read(id);
      expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4]);
      expect(JSON.stringify(events)).not.toContain('purge me');
      const info = await store.getConversation(id);
      expect(info?.preview).toBe('keep me');
      expect(info?.messageCount).toBe(2);
    });

    it('redacting an unknown message is a ValidationError naming messageId', async () => {
      const id = newId();
      await store.append(id, user('x'));
      await expect(store.redact(id, randomUUID(), { mode: 'mask', reason: 'r' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'messageId' });
      await expect(store.redact(newId(), randomUUID(), { mode: 'mask', reason: 'r' })).rejects.toBeInstanceOf(ConversationNotFoundError);
    });

    it('soft delete keeps the log readable and refuses writes and tails; twice is a no-op', async () => {
      const id = newId();
      const owner = `user-${newId()}`;
      await store.append(id, user('bye'), { userId: owner });
      await store.tail(id);
      await store.deleteConversation(id);
      await store.deleteConversation(id);
      await expect(store.append(id, user('more'))).rejects.toBeInstanceOf(ConversationDeletedError);
      await expect(store.tail(id)).rejects.toBeInstanceOf(ConversationDeletedError);
      await expect(store.rename(id, 'x')).rejects.toMatchObject({ code: 'CONVERSATION_DELETED' });
      const info = await store.getConversation(id);
      expect(info).toMatchObject({ status: 'deleted', version: 3 });
      expect((await store.read(id)).events.at(-1)?.type).toBe('conversation.deleted');
      expect((await store.stateAt(id, 3)).status).toBe('deleted');
      expect((await store.listConversations({ userId: owner })).items).toEqual([]);
      expect((await store.listConversations({ userId: owner, includeDeleted: true })).items.map((i) => i.conversationId)).toEqual([id]);
    });

    it('hard delete removes everything and frees the id, also after a soft delete', async () => {
      const id = newId();
      await store.append(id, [user('one'), assistant('two')]);
      await store.tail(id);
      await store.deleteConversation(id);
      await store.deleteConversation(id, { hard: true });
      expect(await store.getConversation(id)).toBeNull();
      await expect(store.read(id)).rejects.toBeInstanceOf(ConversationNotFoundError);
      expect(await store.tail(id)).toEqual([]);
      await expect(store.deleteConversation(id, { hard: true })).rejects.toBeInstanceOf(ConversationNotFoundError);
      const again = await store.append(id, user('fresh start'));
      expect(again.version).toBe(2);
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['fresh start']);
    });

    it('a read-only store reads and refuses every write, cache repairs included', async () => {
      const id = newId();
      await store.append(id, [user('visible'), assistant('too')]);
      const readOnly = await target.open({ readOnly: true });
      try {
        expect((await readOnly.tail(id)).map((m) => m.content)).toEqual(['visible', 'too']);
        expect((await readOnly.read(id)).version).toBe(3);
        expect((await readOnly.getConversation(id))?.messageCount).toBe(2);
        const refused = [
          readOnly.append(id, user('no')),
          readOnly.rename(id, 'no'),
          readOnly.redact(id, randomUUID(), { mode: 'mask', reason: 'no' }),
          readOnly.deleteConversation(id),
          readOnly.deleteConversation(id, { hard: true }),
          readOnly.cache.evict(id),
          readOnly.cache.warm(id),
        ];
        for (const attempt of refused) await expect(attempt).rejects.toMatchObject({ code: 'READ_ONLY' });
        expect((await store.read(id)).version).toBe(3);
      } finally {
        await readOnly.close();
      }
    });

    it('health is up and stats count the tiers', async () => {
      const health = await store.health();
      expect(health.status).toBe('up');
      const stats = store.stats();
      expect(stats.tiers.log.hits + stats.tiers.log.misses).toBeGreaterThan(0);
      expect(Object.keys(stats.cacheScripts).sort()).toEqual(['cold', 'duplicate', 'fenced', 'gap', 'ok']);
    });
  });
}
