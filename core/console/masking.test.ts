import { describe, expect, it } from 'vitest';
import type { JsonObject, Message, MessagePart, StoredEvent } from '../events/types.js';
import { maskConversation, maskEvent, maskMessage, maskObject, maskState, maskText } from './masking.js';

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

  it('masks message events and the title of rename events', () => {
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
    expect(maskEvent(renamed)).toEqual({ ...renamed, data: { title: '[masked · 2 chars]' } });
  });
});

describe('masking hides everything that can carry content', () => {
  const at = '2025-01-01T00:00:00.000Z';

  it('masks titles, rename events, redaction reasons and event metadata', () => {
    const renamed: StoredEvent = {
      conversationId: 'c1', version: 3, position: 3, eventId: 'e3', type: 'conversation.renamed', data: { title: 'Divorce lawyer for Ada' }, metadata: { causationId: 'console', note: 'Ada asked' }, recordedAt: at,
    };
    const redacted: StoredEvent = {
      conversationId: 'c1', version: 4, position: 4, eventId: 'e4', type: 'message.redacted',
      data: { messageId: message.id, mode: 'mask', reason: 'contained card 4111 1111', by: 'console' }, metadata: {}, recordedAt: at,
    };
    const text = JSON.stringify([maskEvent(renamed), maskEvent(redacted)]);
    expect(text).not.toContain('Ada');
    expect(text).not.toContain('4111');
    expect(text).toContain('"causationId":"console"');
    const info = { conversationId: 'c1', userId: 'u1', title: 'Ada’s divorce', status: 'active' as const, version: 4, messageCount: 2, createdAt: at, lastMessageAt: at, preview: 'hello', metadata: { topic: 'Ada’s divorce' } };
    expect(JSON.stringify(maskConversation(info))).not.toContain('Ada');
    expect(maskState({ conversationId: 'c1', userId: 'u1', title: 'Ada’s divorce', status: 'active', version: 2, messages: [message] }).title).not.toContain('Ada');
  });

  it('masks kept keys once they are nested below the top level', () => {
    const masked = JSON.stringify(maskObject({ profile: { name: 'Ada Lovelace', id: 'ada@example.com' }, model: 'gpt-4o' }));
    expect(masked).not.toContain('Ada');
    expect(masked).not.toContain('ada@example.com');
    expect(masked).toContain('gpt-4o');
  });

  it('survives metadata nested 20,000 deep', () => {
    let deep: JsonObject = { leaf: 'secret' };
    for (let i = 0; i < 20_000; i++) deep = { next: deep };
    const masked = maskObject(deep);
    expect(JSON.stringify(masked)).not.toContain('secret');
  });

  it('keeps a __proto__ key as plain data, as unmasked data does', () => {
    const metadata = JSON.parse('{"__proto__": {"polluted": "yes"}, "model": "m"}') as JsonObject;
    const masked = maskObject(metadata);
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.keys(masked)).toEqual(Object.keys(metadata));
    expect(JSON.stringify(masked)).toContain('"__proto__":{"polluted":"[masked · 3 chars]"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('masks message parts, revisions and conversation metadata, keeping part types', () => {
    const parts: MessagePart[] = [{ type: 'text', text: 'card 4111' }, { type: 'file', url: 'data:image/png;base64,QUJD', mediaType: 'image/png' }];
    const withParts = { ...message, parts };
    const masked = maskMessage(withParts);
    expect(JSON.stringify(masked)).not.toContain('4111');
    expect(JSON.stringify(masked)).not.toContain('QUJD');
    expect(masked.parts?.map((part) => part.type)).toEqual(['text', 'file']);
    const at = '2025-01-01T00:00:00.000Z';
    const revised: StoredEvent = {
      conversationId: 'c1', version: 5, position: 50, eventId: 'e5', type: 'message.revised', recordedAt: at, metadata: {},
      data: { messageId: message.id, content: 'now 4111', parts: [{ type: 'text', text: 'now 4111' }], metadata: { note: '4111' } },
    };
    const metadataSet: StoredEvent = {
      conversationId: 'c1', version: 6, position: 60, eventId: 'e6', type: 'conversation.metadata-set', recordedAt: at, metadata: {},
      data: { set: { customer: 'Ada 4111' }, unset: [] },
    };
    const text = JSON.stringify([maskEvent(revised), maskEvent(metadataSet)]);
    expect(text).not.toContain('4111');
    expect(text).toContain('"customer"');
  });
});
