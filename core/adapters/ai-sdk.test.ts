import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { convertToModelMessages, streamText, tool, validateUIMessages, type UIMessage } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConversationStore } from '../store/types.js';
import { useMemoryStores } from '../testing/memory-stores.js';
import { createChat, loadChat, saveChat } from './ai-sdk.js';

const openMemoryStore = useMemoryStores();

type ValidateOptions = Parameters<typeof validateUIMessages>[0];

const usage = {
  inputTokens: { total: 5, noCache: 5, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 7, text: 7, reasoning: undefined },
};

/** A mock model that streams reasoning, then the given text. */
function mockModel(text: string): MockLanguageModelV3 {
  const chunks: LanguageModelV3StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'reasoning-start', id: 'r' },
    { type: 'reasoning-delta', id: 'r', delta: 'thinking' },
    { type: 'reasoning-end', id: 'r' },
    { type: 'text-start', id: 't' },
    ...text.split(' ').map((word, i): LanguageModelV3StreamPart => ({ type: 'text-delta', id: 't', delta: i === 0 ? word : ` ${word}` })),
    { type: 'text-end', id: 't' },
    { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
  ];
  return new MockLanguageModelV3({ doStream: async () => ({ stream: convertArrayToReadableStream(chunks) }) });
}

/** One chat turn as a route handler runs it: stream the reply, save the whole list in onFinish. */
async function turn(store: ConversationStore, chatId: string, messages: UIMessage[], reply: string, replyId: string): Promise<UIMessage[]> {
  let saved: UIMessage[] | undefined;
  const result = streamText({ model: mockModel(reply), messages: await convertToModelMessages(messages) });
  const response = result.toUIMessageStreamResponse({
    originalMessages: messages,
    generateMessageId: () => replyId,
    messageMetadata: ({ part }) => (part.type === 'finish' ? { model: 'mock', totalTokens: part.totalUsage.totalTokens } : undefined),
    onFinish: async ({ messages: all }) => {
      await saveChat(store, { chatId, messages: all, userId: 'u1' });
      saved = all;
    },
  });
  await response.text();
  if (saved === undefined) throw new Error('onFinish did not run');
  return saved;
}

function userMessage(id: string, text: string): UIMessage {
  return { id, role: 'user', parts: [{ type: 'text', text }] };
}

async function eventTypesAfter(store: ConversationStore, chatId: string, version: number): Promise<string[]> {
  return (await store.read(chatId, { fromVersion: version + 1 })).events.map((event) => event.type);
}

describe('AI SDK chats', () => {
  it('saves streamed replies from onFinish and loads them back as valid UIMessages', async () => {
    const store = await openMemoryStore();
    const chatId = await createChat(store, { userId: 'u1' });
    expect(typeof chatId).toBe('string');
    expect(await loadChat(store, chatId)).toEqual([]);

    const first = await turn(store, chatId, [userMessage('u-1', 'Hello')], 'Hi there', 'a-1');
    const loaded = await loadChat(store, chatId);
    expect(loaded).toEqual(JSON.parse(JSON.stringify(first)));
    expect(loaded.map((m) => m.id)).toEqual(['u-1', 'a-1']);
    expect(loaded[1]?.parts.map((p) => p.type)).toEqual(['step-start', 'reasoning', 'text']);
    expect(loaded[1]?.metadata).toEqual({ model: 'mock', totalTokens: 12 });
    await expect(validateUIMessages({ messages: loaded })).resolves.toHaveLength(2);

    // The next turn starts from what was loaded; the stored text is what search and previews use.
    await turn(store, chatId, [...loaded, userMessage('u-2', 'And again')], 'Hello again', 'a-2');
    expect((await loadChat(store, chatId)).map((m) => m.id)).toEqual(['u-1', 'a-1', 'u-2', 'a-2']);
    const info = await store.getConversation(chatId);
    expect(info).toMatchObject({ userId: 'u1', messageCount: 4, preview: 'Hello again' });
  });

  it('keeps every part type and message metadata as given', async () => {
    const store = await openMemoryStore();
    const messages: UIMessage[] = [
      { id: 'sys', role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
      {
        id: 'u',
        role: 'user',
        metadata: { sentAt: '2026-01-01T00:00:00.000Z', tags: ['a', 1, null, { nested: true }] },
        parts: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'file', mediaType: 'image/png', url: 'https://example.com/cat.png', filename: 'cat.png' },
        ],
      },
      {
        id: 'a',
        role: 'assistant',
        metadata: 'a bare string is metadata too',
        parts: [
          { type: 'step-start' },
          { type: 'reasoning', text: 'Look closely.', state: 'done', providerMetadata: { mock: { signature: 'sig' } } },
          { type: 'tool-weather', toolCallId: 'call-1', state: 'output-available', input: { city: 'Paris' }, output: { celsius: 21 } },
          { type: 'tool-weather', toolCallId: 'call-2', state: 'output-error', input: { city: '' }, errorText: 'no city' },
          { type: 'dynamic-tool', toolName: 'lookup', toolCallId: 'call-3', state: 'input-available', input: { q: 'x' } },
          { type: 'source-url', sourceId: 's1', url: 'https://example.com/source', title: 'Source' },
          { type: 'source-document', sourceId: 's2', mediaType: 'application/pdf', title: 'Doc', filename: 'doc.pdf' },
          { type: 'data-weather', id: 'w1', data: { city: 'Paris', forecast: [21, 22] } },
          { type: 'step-start' },
          { type: 'text', text: 'A cat, 21 °C.', state: 'done' },
        ],
      },
    ];
    await saveChat(store, { chatId: 'parts', messages });
    const loaded = await loadChat(store, 'parts');
    expect(loaded).toEqual(messages);
    await expect(
      validateUIMessages({
        messages: loaded,
        dataSchemas: { weather: z.object({ city: z.string(), forecast: z.array(z.number()) }) },
        // validateUIMessages types its tools map loosely (unknown input); the schemas still check the parts.
        tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), outputSchema: z.object({ celsius: z.number() }) }) } as ValidateOptions['tools'],
      }),
    ).resolves.toHaveLength(3);
    expect((await store.tail('parts', 3))[2]?.content).toBe('A cat, 21 °C.');
  });

  it('saving an unchanged list writes nothing', async () => {
    const store = await openMemoryStore();
    const all = await turn(store, 'same', [userMessage('u-1', 'Hello')], 'Hi', 'a-1');
    const head = (await store.read('same')).version;
    await saveChat(store, { chatId: 'same', messages: all });
    await saveChat(store, { chatId: 'same', messages: await loadChat(store, 'same') });
    expect((await store.read('same')).version).toBe(head);
  });

  it('revises a stored message whose parts or metadata changed', async () => {
    const store = await openMemoryStore();
    const all = await turn(store, 'edit', [userMessage('u-1', 'Hello')], 'Hi', 'a-1');
    const head = (await store.read('edit')).version;
    const [question, reply] = all;
    if (question === undefined || reply === undefined) throw new Error('two messages expected');
    const changed: UIMessage = { ...reply, metadata: { model: 'mock', edited: true }, parts: [...reply.parts, { type: 'text', text: ' More.' }] };
    await saveChat(store, { chatId: 'edit', messages: [question, changed] });
    const events = (await store.read('edit', { fromVersion: head + 1 })).events;
    expect(events.map((e) => e.type)).toEqual(['message.revised']);
    expect(events[0]?.data).toMatchObject({ messageId: 'a-1' });
    expect(await loadChat(store, 'edit')).toEqual(JSON.parse(JSON.stringify([question, changed])));
  });

  it('a regenerate retracts the dropped reply and appends the new one', async () => {
    const store = await openMemoryStore();
    const question = userMessage('u-1', 'Tell me a joke');
    await turn(store, 'regen', [question], 'First joke', 'a-1');
    const head = (await store.read('regen')).version;
    // The client drops the last reply and asks again with the list up to the question.
    const again = await turn(store, 'regen', [question], 'Second joke', 'a-2');
    expect(again.map((m) => m.id)).toEqual(['u-1', 'a-2']);
    expect(await eventTypesAfter(store, 'regen', head)).toEqual(['message.retracted', 'message.appended']);
    expect((await loadChat(store, 'regen')).map((m) => m.id)).toEqual(['u-1', 'a-2']);
    // The old reply stays in the log for replay.
    expect((await store.stateAt('regen', head)).messages.map((m) => m.id)).toEqual(['u-1', 'a-1']);
  });

  it('refuses lists it cannot store faithfully, before writing anything', async () => {
    const store = await openMemoryStore();
    await expect(saveChat(store, { chatId: 'bad', messages: [{ id: '', role: 'user', parts: [] }] })).rejects.toMatchObject({ field: 'messages[0].id' });
    const twice = [userMessage('x', 'a'), userMessage('x', 'b')];
    await expect(saveChat(store, { chatId: 'bad', messages: twice })).rejects.toMatchObject({ field: 'messages[1].id' });
    expect(await store.getConversation('bad')).toBeNull();
  });
});
