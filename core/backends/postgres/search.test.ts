import { describe, expect, it } from 'vitest';
import { toPrefixTsquery } from './search.js';

describe('toPrefixTsquery', () => {
  it('ANDs every word as a prefix', () => {
    expect(toPrefixTsquery('Trip  to lisb')).toBe('Trip:* & to:* & lisb:*');
  });

  it('keeps letters and digits of any script, drops tsquery syntax', () => {
    expect(toPrefixTsquery("a&b | !c :*(d) 'e' \\f <-> g")).toBe('a:* & b:* & c:* & d:* & e:* & f:* & g:*');
    expect(toPrefixTsquery('café 東京 x2')).toBe('café:* & 東京:* & x2:*');
  });

  it('returns null when no word is left, and dedupes', () => {
    expect(toPrefixTsquery('  !!! :*  ')).toBeNull();
    expect(toPrefixTsquery('a a b')).toBe('a:* & b:*');
  });

  it('caps the number of words', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(toPrefixTsquery(words)?.split(' & ')).toHaveLength(32);
  });
});
