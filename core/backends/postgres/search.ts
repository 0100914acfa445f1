/**
 * Turns free text into a `to_tsquery('simple', …)` string: every word must match, each as a
 * prefix. Words are runs of letters and digits, so no tsquery syntax (& | ! : * ( ) ' \ <->) can
 * get through; that is also how the `simple` parser splits the indexed text. Case is left to
 * `to_tsquery`, which folds it with the same rules (the database's LC_CTYPE) as the indexed text.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** More terms only slow the query down; 32 words is well past any real search box. */
const MAX_WORDS = 32;

/** null when the text holds no word (then nothing can match). */
export function toPrefixTsquery(text: string): string | null {
  const words = [...new Set((text.match(WORD) ?? []).slice(0, MAX_WORDS))];
  return words.length === 0 ? null : words.map((word) => `${word}:*`).join(' & ');
}
