import { AIMessage, HumanMessage, SystemMessage, ToolMessage, mapChatMessagesToStoredMessages } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/errors.js';
import { fromLangChain } from './langchain-message.js';

describe('fromLangChain', () => {
  it('maps the stored form of each LangChain message type to a role, keeping the rest in metadata.langchain', () => {
    const stored = mapChatMessagesToStoredMessages([
      new SystemMessage('be brief'),
      new HumanMessage({ content: 'hi', id: 'lc-1' }),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'lookup', args: { q: 'x' } }] }),
      new ToolMessage({ content: '42', tool_call_id: 'call_1' }),
    ]);
    const mapped = stored.map((m, i) => fromLangChain(JSON.parse(JSON.stringify(m)), `m${i}`));
    expect(mapped.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(mapped[1]).toMatchObject({ content: 'hi', ownId: 'lc-1', metadata: { langchain: { type: 'human', id: 'lc-1' } } });
    expect(mapped[2]?.metadata?.langchain).toMatchObject({ type: 'ai', tool_calls: [{ id: 'call_1', name: 'lookup', args: { q: 'x' } }] });
    expect(mapped[3]?.metadata?.langchain).toMatchObject({ type: 'tool', tool_call_id: 'call_1' });
  });

  it('joins the text of content blocks and keeps the blocks', () => {
    const blocks = [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: 'data:…' }, { type: 'text', text: 'here' }];
    const mapped = fromLangChain({ type: 'human', data: { content: blocks } }, 'm');
    expect(mapped.content).toBe('look\nhere');
    expect(mapped.metadata?.langchain).toMatchObject({ content: blocks });
  });

  it('takes the role of a generic ChatMessage and refuses unknown shapes without quoting content', () => {
    expect(fromLangChain({ type: 'generic', data: { content: 'x', role: 'assistant' } }, 'm').role).toBe('assistant');
    expect(() => fromLangChain({ type: 'robot', data: { content: 'secret text' } }, 'm')).toThrow(ValidationError);
    expect(() => fromLangChain({ content: 'secret text' }, 'm')).toThrow(/not a LangChain stored message/);
  });
});
