import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import { eventually, newId, user, type ContractTarget } from './target.js';

export function subscribeContract(target: ContractTarget): void {
  describe(`${target.name}: subscribe`, () => {
    let store: ConversationStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(() => store.close());

    it("'end' delivers only what is appended after subscribing, in commit order", async () => {
      const before = newId();
      await store.append(before, user('old'));
      const seen: StoredEvent[] = [];
      const unsubscribe = store.subscribe({ from: 'end' }, (events) => {
        seen.push(...events);
      });
      try {
        const id = newId();
        await store.append(id, user('one'));
        await store.append(id, user('two'));
        const mine = (): StoredEvent[] => seen.filter((e) => e.conversationId === id);
        await eventually(mine, (events) => events.length === 3);
        expect(mine().map((e) => e.version)).toEqual([1, 2, 3]);
        expect(seen.some((e) => e.conversationId === before)).toBe(false);
        const positions = seen.map((e) => e.position);
        expect(new Set(positions).size).toBe(positions.length);
      } finally {
        unsubscribe();
      }
    });

    it('resumes from a stored checkpoint without repeating or skipping, and waits for the handler', async () => {
      const id = newId();
      let checkpoint = '';
      const first: StoredEvent[] = [];
      const stop = store.subscribe({ from: 'end' }, (events, cp) => {
        first.push(...events.filter((e) => e.conversationId === id));
        checkpoint = cp;
      });
      await store.append(id, user('a'));
      await eventually(() => first.length, (n) => n === 2);
      stop();
      await store.append(id, [user('b'), user('c')]);
      const resumed: StoredEvent[] = [];
      let inHandler = 0;
      let overlapped = false;
      const stop2 = store.subscribe({ from: checkpoint }, async (events) => {
        inHandler++;
        if (inHandler > 1) overlapped = true;
        await new Promise((resolve) => setImmediate(resolve));
        resumed.push(...events.filter((e) => e.conversationId === id));
        inHandler--;
      });
      try {
        await eventually(() => resumed.length, (n) => n >= 2);
        expect(resumed.map((e) => e.version)).toEqual([3, 4]);
        expect(overlapped).toBe(false);
      } finally {
        stop2();
      }
    });

    it("'start' replays from the beginning", async () => {
      const id = newId();
      await store.append(id, user('early'));
      const seen: StoredEvent[] = [];
      const stop = store.subscribe({ from: 'start' }, (events) => {
        seen.push(...events.filter((e) => e.conversationId === id));
      });
      try {
        await eventually(() => seen.length, (n) => n === 2);
        expect(seen[1]).toMatchObject({ type: 'message.appended', data: { content: 'early' } });
      } finally {
        stop();
      }
    });

    it('under concurrent writers on several instances, delivers every event exactly once, in version order per conversation', async () => {
      const writers = [store, await target.open(), await target.open()];
      const ids = [newId(), newId(), newId(), newId()];
      const marker = newId();
      let started = false;
      const seen = new Map<string, number[]>();
      const stop = store.subscribe({ from: 'end' }, (events) => {
        for (const event of events) {
          if (event.conversationId === marker) started = true;
          if (!ids.includes(event.conversationId)) continue;
          seen.set(event.conversationId, [...(seen.get(event.conversationId) ?? []), event.version]);
        }
      });
      try {
        // Other instances' writes are not held back while 'end' is fixed: wait until it is.
        await store.append(marker, user('marker'));
        await eventually(() => started, (value) => value);
        await Promise.all(
          Array.from({ length: 60 }, (_, i) => writers[i % writers.length]!.append(ids[i % ids.length]!, user(`c${i}`), { expectedVersion: 'any' })),
        );
        const total = (): number => [...seen.values()].reduce((sum, versions) => sum + versions.length, 0);
        // 60 messages plus one conversation.started per conversation.
        await eventually(total, (n) => n >= 64);
        expect(total()).toBe(64);
        for (const id of ids) expect(seen.get(id)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      } finally {
        stop();
        await Promise.all(writers.slice(1).map((writer) => writer.close()));
      }
    });

    it('delivers appends from another instance', async () => {
      const other = await target.open();
      const id = newId();
      const seen: StoredEvent[] = [];
      const stop = store.subscribe({ from: 'end' }, (events) => {
        seen.push(...events.filter((e) => e.conversationId === id));
      });
      try {
        // Once the subscription has seen this instance's marker, its start is fixed.
        await store.append(id, user('marker'));
        await eventually(() => seen.length, (n) => n === 2);
        await other.append(id, user('from elsewhere'));
        await eventually(() => seen.length, (n) => n === 3);
        expect(seen[2]).toMatchObject({ version: 3, data: { content: 'from elsewhere' } });
      } finally {
        stop();
        await other.close();
      }
    });
  });
}
