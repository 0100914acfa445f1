import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './limits.js';
import { canonicalJson, contentHash, contentHashOf } from './content-hash.js';
import { validateMetadata } from './validate.js';

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

  it('validation produces the same canonical JSON, so hashes agree whichever path made them', () => {
    const metadata = { z: [1, { y: 'é"\n', b: null }], a: { d: true, c: -0.5 }, m: 'x' };
    const { json } = validateMetadata('metadata', metadata, DEFAULT_LIMITS);
    expect(json).toBe(canonicalJson(metadata));
    expect(json.length).toBe(JSON.stringify(metadata).length);
    expect(contentHashOf('tool', 'out', json)).toBe(contentHash('tool', 'out', metadata));
  });

  it('covers parts; a message without parts hashes as before parts existed, so earlier retries still match', () => {
    const plain = contentHash('user', 'hi', {});
    expect(contentHash('user', 'hi', {}, undefined)).toBe(plain);
    expect(plain).toBe(hash('sha256', 'user\u0000hi\u0000{}', 'base64url'));
    const withParts = contentHash('user', 'hi', {}, [{ type: 'text', text: 'hi' }]);
    expect(withParts).not.toBe(plain);
    expect(contentHash('user', 'hi', {}, [{ text: 'hi', type: 'text' }])).toBe(withParts);
    expect(contentHash('user', 'hi', {}, [])).not.toBe(plain);
  });
});
