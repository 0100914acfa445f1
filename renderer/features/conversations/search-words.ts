/**
 * The words a search looks for, split as the store splits indexed text: runs of letters, digits
 * and combining marks. Everything else (`+`, `*`, quotes) is ignored, so `c++` searches for
 * words starting with "c" and `*` searches for nothing.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export function searchWords(text: string): string[] {
  return [...new Set(text.match(WORD) ?? [])];
}

export interface Segment {
  text: string;
  match: boolean;
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits `text` so each word starting with a searched word can be highlighted (prefix, any case). */
export function highlightSegments(text: string, words: readonly string[]): Segment[] {
  if (words.length === 0 || text === '') return [{ text, match: false }];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${words.map(escape).join('|')})[\\p{L}\\p{N}\\p{M}]*`, 'giu');
  const out: Segment[] = [];
  let at = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index;
    if (start > at) out.push({ text: text.slice(at, start), match: false });
    out.push({ text: found[0], match: true });
    at = start + found[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}
