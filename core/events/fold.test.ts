import { describe, expect, it } from 'vitest';
import { emptyState, foldEvents } from './fold.js';
import type { StoredEvent } from './types.js';

const at = '2026-01-01T00:00:00.000Z';
const base = { conversationId: 'c', metadata: {}, recordedAt: at };
const events: StoredEvent[] = [
  { ...base, version: 1, position: 10, eventId: 'e1', type: 'conversation.started', data: { userId: 'u' } },
  { ...base, version: 2, position: 11, eventId: 'm1', type: 'message.appended', data: { role: 'user', content: 'hi', metadata: {} } },
  { ...base, version: 3, position: 12, eventId: 'm2', type: 'message.appended', data: { role: 'assistant', content: '', metadata: {}, redacted: 'mask' } },
  { ...base, version: 4, position: 13, eventId: 'm3', type: 'message.appended', data: { role: 'user', content: '', metadata: {}, redacted: 'purge' } },
  { ...base, version: 5, position: 14, eventId: 'e5', type: 'conversation.renamed', data: { title: 'T' } },
  { ...base, version: 6, position: 15, eventId: 'e6', type: 'message.redacted', data: { messageId: 'm2', mode: 'mask', reason: 'r', by: null } },
  { ...base, version: 7, position: 16, eventId: 'e7', type: 'conversation.deleted', data: { hard: false } },
];

describe('foldEvents', () => {
  it('replays owner, title, status and messages; purged messages never appear, masked ones are empty', () => {
    const state = foldEvents(emptyState('c'), events);
    expect(state).toMatchObject({ userId: 'u', title: 'T', status: 'deleted', version: 7 });
    expect(state.messages.map((m) => [m.id, m.content, m.redacted])).toEqual([
      ['m1', 'hi', false],
      ['m2', '', true],
    ]);
  });

  it('folds incrementally to the same state', () => {
    const once = foldEvents(emptyState('c'), events);
    const twice = foldEvents(foldEvents(emptyState('c'), events.slice(0, 3)), events.slice(3));
    expect(twice).toEqual(once);
  });
});
