import { describe, expect, it } from 'vitest';
import type { Message } from '../events/types.js';
import type { CachedTail } from './conversation-cache.js';
import { createL1Cache } from './l1-cache.js';

function tail(version: number, count: number, conversationId = 'c'): CachedTail {
  const messages: Message[] = [];
  for (let v = version - count + 1; v <= version; v++) {
    messages.push({
      id: `m${v}`,
      conversationId,
      version: v,
      role: 'user',
      content: `v${v}`,
      createdAt: '2025-01-01T00:00:00.000Z',
      metadata: {},
      redacted: false,
    });
  }
  return { version, position: version * 10, messages };
}

function clock() {
  let time = 1_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

const versionsOf = (t: CachedTail | null) => t?.messages.map((m) => m.version) ?? null;

describe('L1 cache', () => {
  it('returns the last n messages of what it holds', () => {
    const l1 = createL1Cache();
    l1.set('c', tail(10, 5), 5);
    expect(versionsOf(l1.get('c', 3))).toEqual([8, 9, 10]);
    expect(l1.get('c', 3)).toMatchObject({ version: 10, position: 100 });
    expect(l1.get('c', 0)?.messages).toEqual([]);
    expect(l1.get('other', 3)).toBeNull();
  });

  it('does not answer more than it was asked for, unless it holds the whole history', () => {
    const l1 = createL1Cache();
    l1.set('partial', tail(10, 5), 5);
    expect(l1.get('partial', 6)).toBeNull();
    l1.set('whole', tail(3, 2), 20); // asked for 20, got 2: that is all there is
    expect(versionsOf(l1.get('whole', 50))).toEqual([2, 3]);
  });

  it('never replaces a newer entry with an older one', () => {
    const l1 = createL1Cache();
    expect(l1.set('c', tail(10, 5), 5)).toBe(true);
    expect(l1.set('c', tail(9, 5), 5)).toBe(false);
    expect(l1.get('c', 1)?.version).toBe(10);
    expect(l1.set('c', tail(11, 5), 5)).toBe(true);
    expect(l1.get('c', 1)?.version).toBe(11);
  });

  it('at the same head keeps the entry that answers more', () => {
    const l1 = createL1Cache();
    l1.set('c', tail(10, 5), 5);
    expect(l1.set('c', tail(10, 2), 2)).toBe(false);
    expect(versionsOf(l1.get('c', 5))).toEqual([6, 7, 8, 9, 10]);
  });

  it('expires entries after the TTL', () => {
    const time = clock();
    const l1 = createL1Cache({ ttlMs: 2000, now: time.now });
    l1.set('c', tail(10, 5), 5);
    time.advance(1999);
    expect(l1.get('c', 1)).not.toBeNull();
    time.advance(1);
    expect(l1.get('c', 1)).toBeNull();
    expect(l1.size).toBe(0);
    // An expired entry does not block an older tail.
    l1.set('d', tail(10, 5), 5);
    time.advance(2000);
    expect(l1.set('d', tail(9, 5), 5)).toBe(true);
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const l1 = createL1Cache({ maxEntries: 2 });
    l1.set('a', tail(1, 1, 'a'), 5);
    l1.set('b', tail(1, 1, 'b'), 5);
    l1.get('a', 1); // a is now the most recent
    l1.set('c', tail(1, 1, 'c'), 5);
    expect(l1.get('b', 1)).toBeNull();
    expect(l1.get('a', 1)).not.toBeNull();
    expect(l1.get('c', 1)).not.toBeNull();
    expect(l1.size).toBe(2);
  });

  it('invalidate and clear drop entries', () => {
    const l1 = createL1Cache();
    l1.set('a', tail(1, 1), 5);
    l1.set('b', tail(1, 1), 5);
    l1.invalidate('a');
    expect(l1.get('a', 1)).toBeNull();
    expect(l1.get('b', 1)).not.toBeNull();
    l1.clear();
    expect(l1.size).toBe(0);
  });

  it('keeps its own copy of the message list', () => {
    const l1 = createL1Cache();
    const t = tail(3, 2);
    l1.set('c', t, 5);
    t.messages.pop();
    expect(versionsOf(l1.get('c', 5))).toEqual([2, 3]);
  });

  it('an invalidation with a position refuses older tails that arrive after it, until its tombstone expires', () => {
    const time = clock();
    const l1 = createL1Cache({ now: time.now, tombstoneMs: 1000 });
    l1.set('c', tail(5, 5), 5);
    // An instance elsewhere appended v6 (position 60) and said so.
    l1.invalidate('c', 60);
    expect(l1.get('c', 1)).toBeNull();
    // A read that began before the invalidation comes back with v5: refused.
    expect(l1.set('c', tail(5, 5), 5)).toBe(false);
    expect(l1.get('c', 1)).toBeNull();
    // The new head is taken.
    expect(l1.set('c', tail(6, 5), 5)).toBe(true);
    expect(l1.get('c', 1)?.version).toBe(6);
    // A lower position never lowers the tombstone.
    l1.invalidate('c', 30);
    expect(l1.set('c', tail(5, 5), 5)).toBe(false);
    time.advance(1001);
    expect(l1.set('c', tail(5, 5), 5)).toBe(true);
  });

  it('clear keeps tombstones; their number is bounded', () => {
    const l1 = createL1Cache({ maxTombstones: 2 });
    l1.invalidate('a', 100);
    l1.clear();
    expect(l1.set('a', tail(5, 5, 'a'), 5)).toBe(false);
    l1.invalidate('b', 100);
    l1.invalidate('c', 100);
    // 'a' was the oldest tombstone and is gone.
    expect(l1.set('a', tail(5, 5, 'a'), 5)).toBe(true);
    expect(l1.set('c', tail(5, 5, 'c'), 5)).toBe(false);
  });
});
