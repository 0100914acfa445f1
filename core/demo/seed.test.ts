import { describe, expect, it } from 'vitest';
import { prng, seedDemoConversations, seededUuid } from './seed.js';
import { useMemoryStores } from '../testing/memory-stores.js';

const memoryStore = useMemoryStores();

describe('demo data', () => {
  it('is deterministic: the same seed gives the same conversations and ids', async () => {
    const [a, b] = [await memoryStore(), await memoryStore()];
    await seedDemoConversations(a, { conversations: 30, seed: 7 });
    await seedDemoConversations(b, { conversations: 30, seed: 7 });
    const [stateA, stateB] = await Promise.all([a.read('demo-0012'), b.read('demo-0012')]);
    // conversation.started and control events get store-generated ids; messages carry the seeded ones.
    const shape = (events: typeof stateA.events) => events.map((e) => [e.type === 'message.appended' ? e.eventId : e.type, e.data]);
    expect(shape(stateA.events)).toEqual(shape(stateB.events));
    expect(seededUuid(prng(1))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('has several users, tool calls, long and short chats, renames, redactions and deletions', async () => {
    const store = await memoryStore();
    const summary = await seedDemoConversations(store, { conversations: 300 });
    expect(summary).toMatchObject({ conversations: 300, deleted: 2 });
    expect(summary.renamed).toBeGreaterThan(30);
    expect(summary.redacted).toBeGreaterThan(3);

    const all = [];
    let cursor: string | undefined;
    do {
      const page = await store.listConversations({ limit: 500, includeDeleted: true, ...(cursor ? { cursor } : {}) });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(300);
    expect(new Set(all.map((c) => c.userId)).size).toBeGreaterThanOrEqual(6);
    expect(Math.max(...all.map((c) => c.messageCount))).toBeGreaterThan(40);
    expect(Math.min(...all.map((c) => c.messageCount))).toBeLessThanOrEqual(3);
    expect(all.filter((c) => c.status === 'deleted')).toHaveLength(2);

    const withTool = all.find((c) => c.messageCount >= 4 && c.title === 'Weather in Lisbon this weekend');
    const events = (await store.read(withTool?.conversationId ?? all[0]?.conversationId ?? '')).events;
    expect(events.some((e) => e.type === 'message.appended' && e.data.role === 'tool')).toBe(true);
  });

  it('skips conversations that already exist when run again', async () => {
    const store = await memoryStore();
    await seedDemoConversations(store, { conversations: 10 });
    const again = await seedDemoConversations(store, { conversations: 10 });
    expect(again).toMatchObject({ conversations: 0, skipped: 10 });
  });
});
