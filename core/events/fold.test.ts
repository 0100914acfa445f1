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

  it('a revision replaces the body in place from its version on; a retraction removes the message', () => {
    const log: StoredEvent[] = [
      events[0]!,
      events[1]!,
      { ...base, version: 3, position: 12, eventId: 'a1', type: 'message.appended', data: { role: 'assistant', content: 'draft', parts: [{ type: 'text', text: 'draft' }], metadata: { m: 1 } } },
      { ...base, version: 4, position: 13, eventId: 'r1', type: 'message.revised', data: { messageId: 'a1', content: 'final' } },
      { ...base, version: 5, position: 14, eventId: 'r2', type: 'message.revised', data: { messageId: 'm1', content: 'hi!', metadata: { edited: true } } },
      { ...base, version: 6, position: 15, eventId: 'x1', type: 'message.retracted', data: { messageId: 'm1' } },
    ];
    const at = (version: number) => foldEvents(emptyState('c'), log.filter((e) => e.version <= version));
    expect(at(3).messages[1]).toMatchObject({ id: 'a1', content: 'draft', parts: [{ type: 'text', text: 'draft' }] });
    expect(at(4).messages[1]).toEqual({ ...at(3).messages[1], content: 'final', parts: undefined, metadata: { m: 1 } });
    expect(at(4).messages[1]).not.toHaveProperty('parts');
    expect(at(5).messages[0]).toMatchObject({ id: 'm1', version: 2, content: 'hi!', metadata: { edited: true } });
    expect(at(6).messages.map((m) => m.id)).toEqual(['a1']);
  });
});
