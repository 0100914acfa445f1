import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonlSource, parseEventLine } from './jsonl-source.js';
import type { ImportConversation } from './source.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (conversationId: string, version: number, type: string, data: object, eventId = `e-${conversationId}-${version}`) =>
  JSON.stringify({ conversationId, version, position: version, eventId, type, data, metadata: {}, recordedAt: '2026-01-01T00:00:00.000Z' });

async function file(lines: string[]): Promise<string> {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

async function collect(path: string): Promise<ImportConversation[]> {
  const out: ImportConversation[] = [];
  for await (const c of createJsonlSource(path).conversations()) out.push(c);
  return out;
}

describe('jsonl source', () => {
  it('groups events by conversation, with owner, messages and control events in order', async () => {
    const path = await file([
      event('a', 1, 'conversation.started', { userId: 'u1' }),
      event('a', 2, 'message.appended', { role: 'user', content: 'hi', metadata: { k: 1 } }, 'm1'),
      event('a', 3, 'conversation.renamed', { title: 'T' }),
      event('a', 4, 'message.redacted', { messageId: 'm1', mode: 'mask', reason: 'pii', by: null }),
      event('b', 1, 'conversation.started', { userId: null }),
      event('b', 2, 'message.appended', { role: 'assistant', content: '', metadata: {} }, 'm2'),
      event('b', 3, 'conversation.deleted', { hard: false }),
    ]);
    expect(await createJsonlSource(path).plan()).toEqual({ conversations: 2, messages: 2 });
    const [a, b] = await collect(path);
    expect(a).toMatchObject({ conversationId: 'a', userId: 'u1' });
    expect(a?.items.map((i) => i.kind)).toEqual(['message', 'rename', 'redact']);
    expect(a?.items[0]).toEqual({ kind: 'message', message: { id: 'm1', role: 'user', content: 'hi', metadata: { k: 1 } } });
    expect(b?.items.map((i) => i.kind)).toEqual(['message', 'delete']);
  });

  it('reads parts, revisions, retractions and metadata changes as the store takes them', () => {
    const parts = [{ type: 'text', text: 'hi' }, { type: 'data-x', value: 1 }];
    expect(parseEventLine(event('a', 2, 'message.appended', { role: 'assistant', content: 'hi', parts, metadata: {} }, 'm1'), 2).item).toEqual({
      kind: 'message',
      message: { id: 'm1', role: 'assistant', content: 'hi', parts, metadata: {} },
    });
    expect(parseEventLine(event('a', 3, 'message.revised', { messageId: 'm1', content: 'ho', parts: [{ type: 'text', text: 'ho' }] }, 'r1'), 3).item).toEqual({
      kind: 'revise',
      eventId: 'r1',
      messageId: 'm1',
      revision: { content: 'ho', parts: [{ type: 'text', text: 'ho' }] },
    });
    expect(parseEventLine(event('a', 4, 'message.retracted', { messageId: 'm1' }, 'x1'), 4).item).toEqual({ kind: 'retract', eventId: 'x1', messageId: 'm1' });
    expect(parseEventLine(event('a', 5, 'conversation.metadata-set', { set: { tenant: 't' }, unset: ['draft'] }, 's1'), 5).item).toEqual({
      kind: 'metadata',
      eventId: 's1',
      patch: { tenant: 't', draft: null },
    });
    const unsetProto = parseEventLine(`{"conversationId":"a","version":7,"eventId":"s2","type":"conversation.metadata-set","data":{"set":{},"unset":["__proto__"]}}`, 7).item;
    expect(unsetProto.kind === 'metadata' && Object.keys(unsetProto.patch)).toEqual(['__proto__']);
    expect(() => parseEventLine(event('a', 2, 'message.appended', { role: 'user', content: 'secret text', parts: ['secret text'], metadata: {} }), 9)).toThrow(
      /^jsonl: line 9 has parts that are not objects with a type$/,
    );
    expect(() => parseEventLine(event('a', 6, 'conversation.metadata-set', { set: { a: 1 }, unset: [1] }), 6)).toThrow('line 6 is not a valid conversation.metadata-set event');
  });

  it('fails on a bad line, out-of-order versions or a split conversation, naming the line but not its text', async () => {
    const notJson = await file([event('a', 1, 'conversation.started', { userId: null }), '{"secret text']);
    await expect(createJsonlSource(notJson).plan()).rejects.toThrow('jsonl: line 2 is not JSON');
    const order = await file([event('a', 2, 'conversation.started', { userId: null }), event('a', 2, 'conversation.renamed', { title: 'x' })]);
    await expect(createJsonlSource(order).plan()).rejects.toThrow('line 2 is out of version order');
    const split = await file([event('a', 1, 'conversation.started', { userId: null }), event('b', 1, 'conversation.started', { userId: null }), event('a', 2, 'conversation.renamed', { title: 'x' })]);
    await expect(createJsonlSource(split).plan()).rejects.toThrow('line 3 continues a conversation');
    expect(() => parseEventLine(event('a', 2, 'message.appended', { role: 'robot', content: 'secret text', metadata: {} }), 7)).toThrow('line 7 has an unknown role');
  });
});
