import { describe, expect, it } from 'vitest';
import type { Message, StoredEvent } from '../events/types.js';
import { maskEvent, maskMessage, maskObject, maskText } from './masking.js';

const message: Message = {
  id: '0190a1c2-0000-7000-8000-000000000001',
  conversationId: 'c1',
  version: 2,
  role: 'assistant',
  content: 'my card is 4111 1111 1111 1111',
  createdAt: '2025-01-01T00:00:00.000Z',
  metadata: { model: 'gpt-4o', tokens: { prompt: 10, completion: 5 }, toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"email":"ada@example.com"}' }] },
  redacted: false,
};

describe('masking', () => {
  it('replaces content with its length only', () => {
    expect(maskText('secret words')).toBe('[masked · 12 chars]');
    expect(maskText('')).toBe('');
    expect(maskMessage(message).content).not.toContain('4111');
  });

  it('keeps operational metadata and masks every other string', () => {
    const masked = maskObject(message.metadata);
    expect(masked.model).toBe('gpt-4o');
    expect(masked.tokens).toEqual({ prompt: 10, completion: 5 });
    expect(JSON.stringify(masked)).not.toContain('ada@example.com');
    expect(JSON.stringify(masked)).toContain('"name":"lookup"');
  });

  it('masks message events and leaves other events alone', () => {
    const appended: StoredEvent = {
      conversationId: 'c1', version: 2, position: 2, eventId: message.id, type: 'message.appended',
      data: { role: 'user', content: 'hello there', metadata: { note: 'private' } }, metadata: {}, recordedAt: message.createdAt,
    };
    const renamed: StoredEvent = {
      conversationId: 'c1', version: 3, position: 3, eventId: 'e3', type: 'conversation.renamed', data: { title: 'Hi' }, metadata: {}, recordedAt: message.createdAt,
    };
    const out = maskEvent(appended);
    expect(JSON.stringify(out)).not.toContain('hello there');
    expect(JSON.stringify(out)).not.toContain('private');
    expect(maskEvent(renamed)).toEqual(renamed);
  });
});
