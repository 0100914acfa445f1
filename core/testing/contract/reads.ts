import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationNotFoundError, ValidationError } from '../../errors/errors.js';
import type { ConversationStore } from '../../store/types.js';
import { assistant, eventually, newId, user, type ContractTarget } from './target.js';

export function readContract(target: ContractTarget): void {
  describe(`${target.name}: reads`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it('tail returns the last n messages oldest first, 20 by default, [] for an unknown conversation', async () => {
      const id = newId();
      await store.append(id, Array.from({ length: 30 }, (_, i) => user(`m${i}`)));
      const tail = await store.tail(id);
      expect(tail.map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 10}`));
      expect((await store.tail(id, 3)).map((m) => m.content)).toEqual(['m27', 'm28', 'm29']);
      expect(await store.tail(id, 0)).toEqual([]);
      expect(await store.tail(newId())).toEqual([]);
      // Larger than the cache holds: read from the log, still right.
      const long = await store.tail(id, 200);
      expect(long).toHaveLength(30);
      expect(long[0]?.content).toBe('m0');
    });

    it('tail reflects each new append (read-your-writes)', async () => {
      const id = newId();
      await store.append(id, user('a'));
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['a']);
      await store.append(id, assistant('b'));
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['a', 'b']);
      await store.append(id, [user('c'), assistant('d')]);
      expect((await store.tail(id, 3)).map((m) => m.content)).toEqual(['b', 'c', 'd']);
    });

    it('read goes forward and backward over inclusive ranges and reports the true head', async () => {
      const id = newId();
      await store.append(id, Array.from({ length: 9 }, (_, i) => user(`m${i}`)));
      const forward = await store.read(id, { fromVersion: 3, toVersion: 6 });
      expect(forward.events.map((e) => e.version)).toEqual([3, 4, 5, 6]);
      expect(forward.version).toBe(10);
      const backward = await store.read(id, { direction: 'backward' });
      expect(backward.events.map((e) => e.version)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      const page = await store.read(id, { direction: 'backward', fromVersion: 8, toVersion: 2, limit: 3 });
      expect(page.events.map((e) => e.version)).toEqual([8, 7, 6]);
      expect((await store.read(id, { fromVersion: 4, limit: 2 })).events.map((e) => e.version)).toEqual([4, 5]);
      await expect(store.read(newId())).rejects.toBeInstanceOf(ConversationNotFoundError);
    });

    it('getConversation returns the projection; null when unknown', async () => {
      const id = newId();
      const long = 'é'.repeat(150) + '😀'.repeat(100);
      await store.append(id, [user('first'), assistant(long)], { userId: 'owner-1' });
      const info = await store.getConversation(id);
      expect(info).toMatchObject({ conversationId: id, userId: 'owner-1', title: null, status: 'active', version: 3, messageCount: 2 });
      expect(Array.from(info!.preview)).toHaveLength(200);
      expect(info!.preview).toBe(Array.from(long).slice(0, 200).join(''));
      expect(new Date(info!.createdAt).toISOString()).toBe(info!.createdAt);
      expect(info!.lastMessageAt >= info!.createdAt).toBe(true);
      expect(await store.getConversation(newId())).toBeNull();
    });

    it('stateAt folds the log up to a version; 0 is empty; past the head is a ValidationError', async () => {
      const id = newId();
      await store.append(id, [user('a'), assistant('b')], { userId: 'u' });
      await store.rename(id, 'Named');
      await store.append(id, user('c'));
      expect(await store.stateAt(id, 0)).toEqual({ conversationId: id, userId: null, title: null, status: 'active', version: 0, messages: [] });
      const at2 = await store.stateAt(id, 2);
      expect(at2).toMatchObject({ version: 2, userId: 'u', title: null });
      expect(at2.messages.map((m) => m.content)).toEqual(['a']);
      const at5 = await store.stateAt(id, 5);
      expect(at5).toMatchObject({ version: 5, title: 'Named' });
      expect(at5.messages.map((m) => m.content)).toEqual(['a', 'b', 'c']);
      await expect(store.stateAt(id, 6)).rejects.toMatchObject({ code: 'VALIDATION', field: 'version' });
      await expect(store.stateAt(newId(), 1)).rejects.toBeInstanceOf(ConversationNotFoundError);
    });

    describe('listConversations', () => {
      it('lists by user, newest lastMessageAt first, with stable cursor paging', async () => {
        const owner = `user-${newId()}`;
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const id = newId();
          ids.push(id);
          await store.append(id, user(`message ${i}`), { userId: owner });
        }
        // Touch the oldest again: it becomes the newest (once the clock has moved on: equal
        // times are ordered by id).
        const newest = (await store.getConversation(ids[6]!))!.lastMessageAt;
        await eventually(() => new Date().toISOString(), (now) => now > newest);
        await store.append(ids[0]!, user('bump'), { userId: owner });
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listConversations({ userId: owner, limit: 3, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((item) => item.conversationId));
          cursor = page.nextCursor;
          pages++;
          if (cursor === undefined) expect(page).not.toHaveProperty('nextCursor');
        } while (cursor !== undefined && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toHaveLength(7);
        expect(seen[0]).toBe(ids[0]);
        expect(new Set(seen).size).toBe(7);
        const all = await store.listConversations({ userId: owner });
        const times = all.items.map((item) => item.lastMessageAt);
        expect([...times].sort().reverse()).toEqual(times);
      });

      it('refuses a limit over 500', async () => {
        await expect(store.listConversations({ limit: 501 })).rejects.toMatchObject({ code: 'VALIDATION', field: 'limit' });
        await expect(store.listConversations({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
      });

      it('searches titles and messages: every word, case-insensitive, prefixes, combined with userId', async () => {
        const owner = `user-${newId()}`;
        const a = newId();
        const b = newId();
        const c = newId();
        await store.append(a, [user('How do I configure Kubernetes ingress?'), assistant('Use an Ingress resource.')], { userId: owner });
        await store.append(b, user('Recipe for banana bread'), { userId: owner });
        await store.rename(b, 'Baking Weekend');
        await store.append(c, [user('kubernetes'), assistant('ingress')], { userId: owner });
        const ids = async (search: string): Promise<string[]> =>
          (await store.listConversations({ userId: owner, search })).items.map((item) => item.conversationId).sort();
        expect(await ids('kubernetes ingress')).toEqual([a]);
        expect(await ids('KUBER ingr')).toEqual([a]);
        expect(await ids('baking')).toEqual([b]);
        expect(await ids('banana weekend')).toEqual([]);
        expect(await ids('bread')).toEqual([b]);
        expect(await ids('ingress')).toEqual([a, c].sort());
        expect(await ids('nothing-like-this')).toEqual([]);
        expect((await store.listConversations({ userId: `user-${newId()}`, search: 'kubernetes' })).items).toEqual([]);
        // Query syntax of the engines is plain text here.
        await expect(store.listConversations({ userId: owner, search: `"'&|!():*<>- OR AND NOT` })).resolves.toBeDefined();
      });
    });
  });
}
