/** Hybrid mode: a LangChain history with a window is served by the cache tiers, not the log. */
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { ScrollbackChatMessageHistory } from './langchain.js';

let database: TestDatabase;
let store: ConversationStore;

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
  store = await openStore({ postgres: { url: database.url, poolSize: 2 }, redis: { url: inject('redisUrl') }, cache: { l1: false } });
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

describe('ScrollbackChatMessageHistory in hybrid mode', () => {
  it('reads a window from Redis once the first read has filled it', async () => {
    const sessionId = `lc-${crypto.randomUUID()}`;
    const history = new ScrollbackChatMessageHistory({ store, sessionId, window: 2 });
    await history.addMessages([new HumanMessage('q1'), new AIMessage('a1'), new HumanMessage('q2'), new AIMessage('a2')]);

    expect((await history.getMessages()).map((m) => m.text)).toEqual(['q2', 'a2']);
    // The history's read is the store's tail: the next one of the same size comes from the cache.
    const second = await store.tailWithSource(sessionId, 2);
    expect(second.source).not.toBe('log');
    expect(second.messages.map((m) => m.content)).toEqual(['q2', 'a2']);
    expect(store.stats().tiers.redis?.hits).toBeGreaterThan(0);

    // A write through the history keeps the cached window current.
    await history.addMessage(new HumanMessage('q3'));
    expect((await history.getMessages()).map((m) => m.text)).toEqual(['a2', 'q3']);
    expect((await store.tailWithSource(sessionId, 2)).source).not.toBe('log');
  });
});
