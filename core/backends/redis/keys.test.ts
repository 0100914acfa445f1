import { describe, expect, it } from 'vitest';
import { conversationKeys, conversationTag, instanceStatsKey } from './keys.js';

const ODD_IDS = ['a', 'a}', '{a}', 'a:b', 'a:b:m', '}{', '', ' ', 'héllo wörld', '💬', 'sb:{x}:m', 'x'.repeat(256)];

describe('conversation keys', () => {
  it('puts every key of a conversation under one brace-free hash tag', () => {
    for (const id of ODD_IDS) {
      const keys = conversationKeys(id);
      const tag = conversationTag(id);
      expect(tag).not.toMatch(/[{}]/);
      for (const key of [keys.meta, keys.list, keys.fence]) {
        expect(key.startsWith(`sb:{${tag}}:`)).toBe(true);
        // Cluster hashes the text between the first '{' and the next '}': that must be the tag.
        expect(key.slice(key.indexOf('{') + 1, key.indexOf('}'))).toBe(tag);
      }
    }
  });

  it('never maps two ids to the same key', () => {
    const seen = new Map<string, string>();
    for (const id of ODD_IDS) {
      const { meta, list, fence } = conversationKeys(id);
      expect(new Set([meta, list, fence]).size).toBe(3);
      for (const key of [meta, list, fence]) {
        expect(seen.get(key) ?? id).toBe(id);
        seen.set(key, id);
      }
    }
  });

  it('round-trips the id through the tag', () => {
    for (const id of ODD_IDS) {
      expect(Buffer.from(conversationTag(id), 'base64url').toString('utf8')).toBe(id);
    }
  });

  it('namespaces instance stats under sb:', () => {
    expect(instanceStatsKey('i-1')).toMatch(/^sb:metrics:\{[A-Za-z0-9_-]+\}$/);
  });
});
