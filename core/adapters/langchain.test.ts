import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatPromptValueInterface } from '@langchain/core/prompt_values';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableWithMessageHistory } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import type { ConversationStore } from '../store/types.js';
import { useMemoryStores } from '../testing/memory-stores.js';
import { fromLangChain } from '../cli/import/langchain-message.js';
import { ScrollbackChatMessageHistory } from './langchain.js';

const openMemoryStore = useMemoryStores();

function summary(messages: BaseMessage[]): string[] {
  return messages.map((message) => `${message.getType()}:${message.text}`);
}

describe('ScrollbackChatMessageHistory', () => {
  it('keeps a multi-turn history for RunnableWithMessageHistory over a chat model', async () => {
    const store = await openMemoryStore();
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'You are terse.'],
      new MessagesPlaceholder('history'),
      ['human', '{question}'],
    ]);
    const model = new FakeListChatModel({ responses: ['Paris.', 'About 2.1 million.'] });
    const seen: string[][] = [];
    const chain = new RunnableWithMessageHistory({
      runnable: prompt
        .pipe((value: ChatPromptValueInterface) => {
          seen.push(summary(value.messages));
          return value;
        })
        .pipe(model),
      getMessageHistory: (sessionId: string) => new ScrollbackChatMessageHistory({ store, sessionId, userId: 'u1' }),
      inputMessagesKey: 'question',
      historyMessagesKey: 'history',
    });
    const config = { configurable: { sessionId: 'lc-session' } };
    expect((await chain.invoke({ question: 'Capital of France?' }, config)).text).toBe('Paris.');
    expect((await chain.invoke({ question: 'Its population?' }, config)).text).toBe('About 2.1 million.');

    // The second turn's prompt held the first turn, read back from the store.
    expect(seen[1]).toEqual(['system:You are terse.', 'human:Capital of France?', 'ai:Paris.', 'human:Its population?']);
    const stored = await store.tail('lc-session', 10);
    expect(stored.map((m) => `${m.role}:${m.content}`)).toEqual([
      'user:Capital of France?',
      'assistant:Paris.',
      'user:Its population?',
      'assistant:About 2.1 million.',
    ]);
    expect((await store.getConversation('lc-session'))?.userId).toBe('u1');
  });

  it('round-trips tool calls, tool_call_id, content blocks and the other LangChain fields', async () => {
    const store = await openMemoryStore();
    const history = new ScrollbackChatMessageHistory({ store, sessionId: 'tools' });
    const call = { id: 'call_1', name: 'add', args: { a: 1, b: 2 }, type: 'tool_call' as const };
    const messages: BaseMessage[] = [
      new SystemMessage('Use tools.'),
      new HumanMessage({ content: [{ type: 'text', text: 'What is' }, { type: 'image_url', image_url: { url: 'https://example.com/sum.png' } }] }),
      new AIMessage({
        id: 'run-abc',
        content: 'Let me add.',
        tool_calls: [call],
        usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
        response_metadata: { model: 'fake' },
      }),
      new AIMessage({ content: '', tool_calls: [{ ...call, id: 'call_2' }] }),
      new AIMessage({ content: [{ type: 'text', text: 'blocks and' }], tool_calls: [{ ...call, id: 'call_3' }] }),
      new ToolMessage({ content: '3', tool_call_id: 'call_1', name: 'add' }),
    ];
    await history.addMessages(messages);

    const back = await history.getMessages();
    expect(back.map((m) => m.getType())).toEqual(['system', 'human', 'ai', 'ai', 'ai', 'tool']);
    expect(back[1]?.content).toEqual(messages[1]?.content);
    const ai = back[2] as AIMessage;
    expect(ai.id).toBe('run-abc');
    expect(ai.content).toBe('Let me add.');
    expect(ai.tool_calls).toEqual([call]);
    expect(ai.usage_metadata).toEqual({ input_tokens: 3, output_tokens: 4, total_tokens: 7 });
    expect(ai.response_metadata).toMatchObject({ model: 'fake' });
    expect((back[3] as AIMessage).content).toBe('');
    expect((back[3] as AIMessage).tool_calls?.map((c) => c.id)).toEqual(['call_2']);
    expect((back[4] as AIMessage).content).toEqual([{ type: 'text', text: 'blocks and' }]);
    expect((back[4] as AIMessage).tool_calls?.map((c) => c.id)).toEqual(['call_3']);
    const tool = back[5] as ToolMessage;
    expect(tool.tool_call_id).toBe('call_1');
    expect(tool.name).toBe('add');
    expect(tool.content).toBe('3');

    // Tool calls are the message's parts, beside the text, for anything else reading the store.
    const [, , stored] = await store.tail('tools', 10);
    expect(stored?.parts).toEqual([{ type: 'text', text: 'Let me add.' }, call]);
    expect(stored?.id).toBe('run-abc');
  });

  it('writes addMessages as one append: the batch lands together, or not at all', async () => {
    const store = await openMemoryStore();
    let appends = 0;
    const counted: ConversationStore = { ...store, append: (...args) => (appends++, store.append(...args)) };
    const history = new ScrollbackChatMessageHistory({ store: counted, sessionId: 'batch' });
    await history.addMessage(new HumanMessage('first'));
    const before = (await store.read('batch')).version;
    await history.addMessages([new HumanMessage('q'), new AIMessage('a'), new HumanMessage('q2')]);
    expect(appends).toBe(2);
    const { events, version } = await store.read('batch', { fromVersion: before + 1 });
    expect(version).toBe(before + 3);
    expect(events.map((e) => e.type)).toEqual(['message.appended', 'message.appended', 'message.appended']);
    // A batch with one bad message writes none of them.
    await expect(history.addMessages([new HumanMessage('ok'), new HumanMessage({ content: 'bad', id: ' padded ' })])).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await store.read('batch')).version).toBe(version);
  });

  it('reads the current history: revisions shown, retracted and purged messages left out', async () => {
    const store = await openMemoryStore();
    const history = new ScrollbackChatMessageHistory({ store, sessionId: 'edits' });
    await history.addMessages([new HumanMessage({ content: 'one', id: 'm1' }), new AIMessage({ content: 'two', id: 'm2' }), new HumanMessage({ content: 'three', id: 'm3' }), new AIMessage({ content: 'four', id: 'm4' })]);
    await store.revise('edits', 'm2', { content: 'two, revised' });
    await store.retract('edits', 'm3');
    await store.redact('edits', 'm4', { mode: 'purge', reason: 'test' });
    expect(summary(await history.getMessages())).toEqual(['human:one', 'ai:two, revised']);
    const windowed = new ScrollbackChatMessageHistory({ store, sessionId: 'edits', window: 1 });
    expect(summary(await windowed.getMessages())).toEqual(['ai:two, revised']);
  });

  it('returns the last N with a window, and the whole history without one', async () => {
    const store = await openMemoryStore();
    const full = new ScrollbackChatMessageHistory({ store, sessionId: 'long' });
    await full.addMessages(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? new HumanMessage(`q${i}`) : new AIMessage(`a${i}`))));
    expect((await full.getMessages()).length).toBe(30);
    const windowed = new ScrollbackChatMessageHistory({ store, sessionId: 'long', window: 4 });
    expect(summary(await windowed.getMessages())).toEqual(['human:q26', 'ai:a27', 'human:q28', 'ai:a29']);
    expect(() => new ScrollbackChatMessageHistory({ store, sessionId: 'long', window: 0 })).toThrow(/window/);
  });

  it('clear hard-deletes the conversation so the session id starts again; an unknown session is a no-op', async () => {
    const store = await openMemoryStore();
    const history = new ScrollbackChatMessageHistory({ store, sessionId: 'reuse' });
    expect(await history.getMessages()).toEqual([]);
    await history.clear();
    await history.addMessages([new HumanMessage('old'), new AIMessage('old reply')]);
    await history.clear();
    expect(await store.getConversation('reuse')).toBeNull();
    expect(await history.getMessages()).toEqual([]);
    await history.addMessage(new HumanMessage('new'));
    expect(summary(await history.getMessages())).toEqual(['human:new']);
    expect((await store.read('reuse')).version).toBe(2);
  });

  it('reads messages written without the adapter by their role', async () => {
    const store = await openMemoryStore();
    await store.append('plain', [
      { role: 'system', content: 's' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: 'a' },
      { role: 'tool', content: 't' },
    ]);
    const back = await new ScrollbackChatMessageHistory({ store, sessionId: 'plain' }).getMessages();
    expect(summary(back)).toEqual(['system:s', 'human:u', 'ai:a', 'tool:t']);
  });

  it('reads histories that scrollback import brought over from LangChain', async () => {
    const store = await openMemoryStore();
    const original = [
      new HumanMessage({ content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }),
      new AIMessage({ content: 'calling', tool_calls: [{ id: 'c1', name: 'look', args: { at: 'a' }, type: 'tool_call' }] }),
      new ToolMessage({ content: 'a cat', tool_call_id: 'c1' }),
    ];
    await store.append(
      'imported',
      original.map((message, i) => {
        const { ownId: _ownId, ...input } = fromLangChain(message.toDict(), `messages[${i}]`);
        return input;
      }),
    );
    const back = await new ScrollbackChatMessageHistory({ store, sessionId: 'imported' }).getMessages();
    expect(back[0]?.content).toEqual(original[0]?.content);
    expect((back[1] as AIMessage).tool_calls).toEqual(original[1] instanceof AIMessage ? original[1].tool_calls : []);
    expect((back[2] as ToolMessage).tool_call_id).toBe('c1');
  });
});
