import { describe, expect, it } from 'vitest';
import { createEntryCodec } from './entry-codec.js';

const large = JSON.stringify({ content: 'the cache keeps the last messages of a conversation; '.repeat(2000) });

describe('entry codec', () => {
  it('keeps small items as their JSON and compresses large ones, transparently', () => {
    const codec = createEntryCodec(32 * 1024);
    const small = JSON.stringify({ content: 'hi' });
    expect(codec.encode(small)).toBe(small);
    const packed = codec.encode(large);
    expect(packed.startsWith('~')).toBe(true);
    expect(packed.length).toBeLessThan(large.length / 4);
    expect(codec.decode(packed)).toBe(large);
    expect(codec.decode(small)).toBe(small);
  });

  it('keeps an item plain when compressing would not shrink it', () => {
    const codec = createEntryCodec(10);
    const random = JSON.stringify({ content: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)).toString('base64') });
    const encoded = codec.encode(random);
    expect(codec.decode(encoded)).toBe(random);
  });

  it('with compression off still reads compressed items, and rejects a corrupt one', () => {
    const writer = createEntryCodec(1024);
    const reader = createEntryCodec(0);
    expect(reader.encode(large)).toBe(large);
    expect(reader.decode(writer.encode(large))).toBe(large);
    expect(() => reader.decode('~not deflate')).toThrow();
  });
});
