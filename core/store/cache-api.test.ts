import { describe, expect, it } from 'vitest';
import type { TailSnapshot } from '../backends/log.js';
import type { CacheEntry } from '../cache/conversation-cache.js';
import type { Message } from '../events/types.js';
import { verdictOf } from './cache-api.js';

function message(version: number, content: string, extra: Partial<Message> = {}): Message {
  return {
    id: `m${version}`,
    conversationId: 'c1',
    version,
    role: 'user',
    content,
    createdAt: '2026-01-01T00:00:00.000Z',
    metadata: {},
    redacted: false,
    ...extra,
  };
}

const messages = [message(1, 'one'), message(2, 'two', { role: 'assistant', metadata: { model: 'a', n: 1 } }), message(4, 'three')];
const log: TailSnapshot = { status: 'active', version: 4, position: 4, messages };

function entry(overrides: Partial<CacheEntry> = {}): { entry: CacheEntry; torn: boolean } {
  return { entry: { version: 4, position: 4, messages: messages.map((m) => ({ ...m })), ttlSeconds: 60, ...overrides }, torn: false };
}

describe('verdictOf', () => {
  it('calls an entry equal to the log consistent, whatever the key order of its metadata', () => {
    const report = entry();
    report.entry.messages[1] = { ...messages[1]!, metadata: { n: 1, model: 'a' } };
    expect(verdictOf(report, log, 50)).toEqual({ verdict: 'consistent', differences: [] });
  });

  it('calls an entry whose head is behind the log stale', () => {
    const report = entry({ version: 2, position: 2, messages: messages.slice(0, 2) });
    expect(verdictOf(report, log, 50).verdict).toBe('stale');
  });

  it('at the same head, names each message that differs and the fields that differ', () => {
    const report = entry();
    report.entry.messages[1] = { ...messages[1]!, content: 'changed', metadata: { model: 'b', n: 1 } };
    report.entry.messages[2] = { ...messages[2]!, redacted: true };
    expect(verdictOf(report, log, 50)).toEqual({
      verdict: 'diverged',
      differences: [
        { version: 2, messageId: 'm2', fields: ['content', 'metadata'] },
        { version: 4, messageId: 'm4', fields: ['redacted'] },
      ],
    });
  });

  it('compares parts when either side carries them', () => {
    const report = entry();
    report.entry.messages[0] = { ...messages[0]!, parts: [{ type: 'text', text: 'one' }] } as Message;
    expect(verdictOf(report, log, 50).differences).toEqual([{ version: 1, messageId: 'm1', fields: ['parts'] }]);
  });

  it('lists a message held on one side only', () => {
    const report = entry({ messages: [messages[0]!, messages[2]!] });
    const result = verdictOf(report, log, 50);
    expect(result.verdict).toBe('diverged');
    expect(result.differences).toEqual([{ version: 2, messageId: 'm2', fields: ['id', 'role', 'content', 'metadata', 'redacted'], missingFrom: 'cache' }]);
  });

  it('compares only the last maxMessages of the log', () => {
    const report = entry({ messages: messages.slice(1) });
    expect(verdictOf(report, log, 2).verdict).toBe('consistent');
  });

  it('reports torn and missing entries before comparing', () => {
    expect(verdictOf({ entry: null, torn: true }, log, 50).verdict).toBe('torn');
    expect(verdictOf({ entry: null, torn: false }, log, 50).verdict).toBe('missing');
  });
});
