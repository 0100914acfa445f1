import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDeletedError, ConversationNotFoundError, IdempotencyConflictError, ValidationError } from '../../errors/errors.js';
import type { ConversationStore } from '../../store/types.js';
import { newId, user, type ContractTarget } from './target.js';

export function conversationMetadataContract(target: ContractTarget): void {
  describe(`${target.name}: conversation metadata`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it('setMetadata merges top-level keys, null unsets, and appends conversation.metadata-set', async () => {
      const id = newId();
      await store.append(id, user('hi'));
      expect((await store.getConversation(id))?.metadata).toEqual({});
      const first = await store.setMetadata(id, { tenant: 't1', tags: ['a', 'b'], settings: { model: 'x', temperature: 0.2 } }, { userId: 'admin' });
      expect(first).toMatchObject({ conversationId: id, version: 3 });
      await store.setMetadata(id, { tags: null, archived: true, settings: { model: 'y' } });
      const info = await store.getConversation(id);
      expect(info).toMatchObject({ version: 4, messageCount: 1, preview: 'hi', metadata: { tenant: 't1', archived: true, settings: { model: 'y' } } });
      expect(info?.metadata).not.toHaveProperty('tags');
      const { events } = await store.read(id, { fromVersion: 3 });
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['conversation.metadata-set', { set: { tenant: 't1', tags: ['a', 'b'], settings: { model: 'x', temperature: 0.2 } }, unset: [] }],
        ['conversation.metadata-set', { set: { archived: true, settings: { model: 'y' } }, unset: ['tags'] }],
      ]);
      expect(events[0]?.metadata).toMatchObject({ userId: 'admin' });
      // Messages are untouched (and the tail, cached or not, reads on).
      expect((await store.tail(id)).map((m) => m.content)).toEqual(['hi']);
      const listed = await store.listConversations({ metadata: { tenant: 't1', archived: true } });
      expect(listed.items.find((c) => c.conversationId === id)?.metadata).toEqual(info?.metadata);
    });

    it('listConversations({ metadata }) keeps conversations whose keys all equal the given JSON values', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const ids = Array.from({ length: 5 }, () => newId());
      for (const id of ids) await store.append(id, user(`in ${id}`));
      await store.setMetadata(ids[0]!, { tenant, plan: 'pro', seats: 5, flags: { beta: true, region: 'eu' }, tags: ['a', 'b'] });
      await store.setMetadata(ids[1]!, { tenant, plan: 'free', seats: 1, flags: { region: 'eu', beta: true } });
      await store.setMetadata(ids[2]!, { tenant, plan: 'pro', seats: '5', active: 1 });
      await store.setMetadata(ids[3]!, { tenant, active: true, tags: ['a'] });
      const list = async (metadata: Record<string, unknown>): Promise<string[]> =>
        (await store.listConversations({ metadata: { tenant, ...metadata } as never })).items.map((c) => c.conversationId).sort();
      const sorted = (...picked: number[]): string[] => picked.map((i) => ids[i]!).sort();

      expect(await list({})).toEqual(sorted(0, 1, 2, 3));
      expect(await list({ plan: 'pro' })).toEqual(sorted(0, 2));
      expect(await list({ plan: 'pro', seats: 5 })).toEqual(sorted(0));
      expect(await list({ seats: '5' })).toEqual(sorted(2));
      expect(await list({ active: true })).toEqual(sorted(3));
      expect(await list({ active: 1 })).toEqual(sorted(2));
      // Objects compare as whole values, key order aside; arrays as whole values, not by containment.
      expect(await list({ flags: { region: 'eu', beta: true } })).toEqual(sorted(0, 1));
      expect(await list({ flags: { region: 'eu' } })).toEqual([]);
      expect(await list({ tags: ['a'] })).toEqual(sorted(3));
      expect(await list({ tags: ['b', 'a'] })).toEqual([]);
      expect(await list({ missing: 'x' })).toEqual([]);
      expect((await store.listConversations({ metadata: { tenant: `other-${randomUUID()}` } })).items).toEqual([]);
    });

    it('the metadata filter combines with userId, search and paging', async () => {
      const tenant = `tenant-${randomUUID()}`;
      const word = `metaword${randomUUID().slice(0, 8)}`;
      const owner = `owner-${randomUUID()}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = newId();
        ids.push(id);
        await store.append(id, user(i % 2 === 0 ? `about ${word}` : 'other things'), { userId: i < 4 ? owner : 'someone-else' });
        await store.setMetadata(id, { tenant, even: i % 2 === 0 });
      }
      const idsOf = async (options: Parameters<ConversationStore['listConversations']>[0]): Promise<string[]> =>
        (await store.listConversations(options)).items.map((c) => c.conversationId);
      // Appends in one millisecond tie on lastMessageAt: the listing's own order is the reference.
      const all = await idsOf({ metadata: { tenant } });
      expect([...all].sort()).toEqual([...ids].sort());
      expect(await idsOf({ metadata: { tenant }, userId: owner })).toEqual(all.filter((id) => id !== ids[4]));
      expect(await idsOf({ metadata: { tenant, even: true }, search: word })).toEqual(all.filter((id) => [ids[0], ids[2], ids[4]].includes(id)));
      expect(await idsOf({ metadata: { tenant, even: false }, search: word })).toEqual([]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listConversations({ metadata: { tenant }, limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
        seen.push(...page.items.map((c) => c.conversationId));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen).toEqual(all);
    });

    it('the merged metadata is bounded by maxMetadataBytes, measured as serialised JSON', async () => {
      const limited = await target.open({ limits: { maxMetadataBytes: 100 } });
      try {
        const id = newId();
        await limited.append(id, user('x'));
        const nested = { n: [1, { k: 'v' }, [true, null]], o: { p: 'q' } };
        await limited.setMetadata(id, nested);
        const used = JSON.stringify(nested).length;
        // {"n":…,"o":…,"s":"…"} adds 7 bytes around the string's own.
        const room = 100 - used - 7;
        await expect(limited.setMetadata(id, { s: 'x'.repeat(room + 1) })).rejects.toMatchObject({ constructor: ValidationError, field: 'metadata' });
        await limited.setMetadata(id, { s: 'x'.repeat(room) });
        expect(JSON.stringify((await limited.getConversation(id))?.metadata).length).toBe(100);
        await expect(limited.setMetadata(id, { t: 1 })).rejects.toMatchObject({ field: 'metadata' });
        await limited.setMetadata(id, { s: null, t: 1 });
        expect((await limited.getConversation(id))?.metadata).toEqual({ ...nested, t: 1 });
        expect((await limited.read(id)).version).toBe(5);
      } finally {
        await limited.close();
      }
    });

    it('is idempotent by event id, and refuses bad input, unknown and deleted conversations', async () => {
      const id = newId();
      await store.append(id, user('x'));
      const eventId = `meta-${randomUUID()}`;
      const first = await store.setMetadata(id, { a: 1, b: null }, { eventId });
      await expect(store.setMetadata(id, { b: null, a: 1 }, { eventId })).resolves.toEqual(first);
      await expect(store.setMetadata(id, { a: 2 }, { eventId })).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect((await store.read(id)).version).toBe(3);

      for (const bad of [null, [], 'x', {}, { f: () => 1 }]) {
        await expect(store.setMetadata(id, bad as never)).rejects.toMatchObject({ constructor: ValidationError, field: 'metadata' });
      }
      await expect(store.listConversations({ metadata: { a: null } as never })).rejects.toMatchObject({ field: 'metadata' });
      await expect(store.listConversations({ metadata: [] as never })).rejects.toMatchObject({ field: 'metadata' });
      await expect(store.setMetadata(newId(), { a: 1 })).rejects.toBeInstanceOf(ConversationNotFoundError);
      await store.deleteConversation(id);
      await expect(store.setMetadata(id, { a: 3 })).rejects.toBeInstanceOf(ConversationDeletedError);
      expect((await store.listConversations({ metadata: { a: 1 }, includeDeleted: true })).items.map((c) => c.conversationId)).toContain(id);
    });
  });
}
