/** AI SDK chats on PostgreSQL, whose jsonb returns object keys in its own order. */
import type { UIMessage } from 'ai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { loadChat, saveChat } from './ai-sdk.js';

let database: TestDatabase;
let store: ConversationStore;

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
  store = await openStore({ postgres: { url: database.url, poolSize: 2 }, redis: { url: inject('redisUrl') } });
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

describe('AI SDK chats in hybrid mode', () => {
  it('loads what was saved, and saving it again writes nothing', async () => {
    const chatId = `chat-${crypto.randomUUID()}`;
    const messages: UIMessage[] = [
      { id: 'u-1', role: 'user', metadata: { zeta: 1, alpha: { y: 2, b: 3 } }, parts: [{ type: 'text', text: 'Weather?' }] },
      {
        id: 'a-1',
        role: 'assistant',
        parts: [
          { type: 'step-start' },
          { type: 'tool-weather', toolCallId: 'c-1', state: 'output-available', input: { zip: '75001', city: 'Paris' }, output: { wind: 3, celsius: 21 } },
          { type: 'text', text: 'Sunny.', state: 'done' },
        ],
      },
    ];
    await saveChat(store, { chatId, messages, userId: 'u1' });
    const head = (await store.read(chatId)).version;
    const loaded = await loadChat(store, chatId);
    expect(loaded).toEqual(messages);
    await saveChat(store, { chatId, messages: loaded });
    await saveChat(store, { chatId, messages });
    expect((await store.read(chatId)).version).toBe(head);
  });
});
