import { describe, expect, it } from 'vitest';
import { indexedWords, searchWords, toPrefixTsquery } from './search.js';

const tsquery = (text: string): string => toPrefixTsquery(searchWords(text));

describe('searchWords and toPrefixTsquery', () => {
  it('ANDs every word as a prefix', () => {
    expect(tsquery('Trip  to lisb')).toBe('Trip:* & to:* & lisb:*');
  });

  it('keeps letters and digits of any script, drops tsquery syntax', () => {
    expect(tsquery("a&b | !c :*(d) 'e' \\f <-> g")).toBe('a:* & b:* & c:* & d:* & e:* & f:* & g:*');
    expect(tsquery('café 東京 x2')).toBe('café:* & 東京:* & x2:*');
  });

  it('finds no word in punctuation alone, and dedupes', () => {
    expect(searchWords('  !!! :*  ')).toEqual([]);
    expect(tsquery('a a b')).toBe('a:* & b:*');
  });

  it('caps the number of words', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(tsquery(words).split(' & ')).toHaveLength(32);
  });
});

describe('indexedWords', () => {
  it('keeps each word once, as written, split the way queries are', () => {
    expect(indexedWords('Book a trip to Lisbon, then book a hotel: e-mail ana@example.com by 3.14pm!')).toBe(
      'Book a trip to Lisbon then book hotel e mail ana example com by 3 14pm',
    );
    expect(indexedWords("  !!! :* 'quoted' café 東京 ")).toBe('quoted café 東京');
    expect(indexedWords('')).toBe('');
  });

  it('skips words too long for a lexeme and indexes only the start of a huge message', () => {
    expect(indexedWords(`short ${'x'.repeat(3000)} end`)).toBe('short end');
    expect(indexedWords(`${'é'.repeat(1100)} ok`)).toBe('ok');
    const huge = `${'word '.repeat(30_000)}tail`;
    // Cut where the index stops, as the server's left() cut it before.
    expect(indexedWords(huge)).toBe('word wo');
  });
});
