/**
 * How message text and search boxes are split into words, one rule for both: runs of letters,
 * digits and marks of any script, so no tsquery syntax (& | ! : * ( ) ' \ <->) can get through.
 * Case is left to the server, which folds indexed words with lower() and query words in
 * `to_tsquery('simple', …)`, both by the database's LC_CTYPE.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** More terms only slow the query down; 32 words is well past any real search box. */
const MAX_WORDS = 32;

/** The text a message's search index is built from: the first 131,072 characters (a tsvector is capped at 1 MB). */
const INDEXED_CHARACTERS = 131_072;
/** A tsvector lexeme holds at most 2047 bytes; the text parser skips longer words too. */
const MAX_WORD_BYTES = 2046;

/**
 * A message's words for the search index, space-separated and deduplicated as written (the
 * server folds their case): split as queries are split, so a search for any word of a message,
 * or its beginning, finds it.
 */
export function indexedWords(content: string): string {
  const words = new Set(content.slice(0, INDEXED_CHARACTERS).match(WORD) ?? []);
  let joined = '';
  for (const word of words) {
    // Characters are at most 3 UTF-8 bytes each in the BMP, 4 outside it (2 UTF-16 units): a
    // word of up to 682 units always fits, only longer ones need counting.
    if (word.length > 682 && Buffer.byteLength(word) > MAX_WORD_BYTES) continue;
    joined = joined === '' ? word : `${joined} ${word}`;
  }
  return joined;
}

/** A search box's words, deduplicated: none when the text holds no word (then nothing can match). */
export function searchWords(text: string): string[] {
  return [...new Set((text.match(WORD) ?? []).slice(0, MAX_WORDS))];
}

/** Every one of `words` (from searchWords) as a prefix of an indexed word. */
export function toPrefixTsquery(words: string[]): string {
  return words.map((word) => `${word}:*`).join(' & ');
}
