import { describe, expect, it } from 'vitest';
import { highlightSegments, searchWords } from './search-words.js';

describe('searchWords', () => {
  it('keeps letters and digits and drops symbols, as the store does', () => {
    expect(searchWords('c++')).toEqual(['c']);
    expect(searchWords('*')).toEqual([]);
    expect(searchWords('refund  policy, refund')).toEqual(['refund', 'policy']);
    expect(searchWords('café 42')).toEqual(['café', '42']);
  });
});

describe('highlightSegments', () => {
  it('marks whole words that start with a searched word, in any case', () => {
    expect(highlightSegments('Refunds are refunded; prerefund is not', ['refund'])).toEqual([
      { text: 'Refunds', match: true },
      { text: ' are ', match: false },
      { text: 'refunded', match: true },
      { text: '; prerefund is not', match: false },
    ]);
  });

  it('leaves text alone when there is nothing to look for', () => {
    expect(highlightSegments('a (b)', [])).toEqual([{ text: 'a (b)', match: false }]);
    expect(highlightSegments('x (y) z', ['(y'.slice(1)])).toEqual([
      { text: 'x (', match: false },
      { text: 'y', match: true },
      { text: ') z', match: false },
    ]);
  });
});
