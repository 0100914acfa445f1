import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './content-hash.js';

describe('contentHash', () => {
  it('ignores metadata key order and tells role, content and metadata apart', () => {
    const base = contentHash('user', 'hi', { a: 1, b: { c: [1, 2], d: null } });
    expect(contentHash('user', 'hi', { b: { d: null, c: [1, 2] }, a: 1 })).toBe(base);
    expect(contentHash('assistant', 'hi', { a: 1, b: { c: [1, 2], d: null } })).not.toBe(base);
    expect(contentHash('user', 'hi!', { a: 1, b: { c: [1, 2], d: null } })).not.toBe(base);
    expect(contentHash('user', 'hi', { a: 2, b: { c: [1, 2], d: null } })).not.toBe(base);
    expect(contentHash('user', 'hi', { a: 1, b: { c: [2, 1], d: null } })).not.toBe(base);
  });

  it('does not let content and metadata run into each other', () => {
    expect(contentHash('user', 'a', {})).not.toBe(contentHash('user', 'a{}', {}));
    expect(canonicalJson({ z: 'x', a: [true, 1.5] })).toBe('{"a":[true,1.5],"z":"x"}');
  });
});
