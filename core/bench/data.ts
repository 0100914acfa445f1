/**
 * Deterministic message text: chat-sized (about 300 bytes), real words so full-text indexes do
 * real work, and the same bytes for every subject so no one gets a cheaper payload.
 */
import type { MessageInput, Role } from '../events/types.js';

const WORDS = (
  'the a to of and in is it you that for on with as this be are can was not but have your will from ' +
  'cache redis postgres conversation message history assistant user model token latency stream ' +
  'please thanks sure here what how why when where which could would should answer question code ' +
  'error retry request response deploy server client function value index query table version'
).split(' ');

/** Roughly `bytes` of text, a pure function of `seed`. */
export function messageText(seed: number, bytes = 300): string {
  let x = (seed * 2654435761 + 1) >>> 0;
  const out: string[] = [];
  let length = 0;
  while (length < bytes) {
    // xorshift32: cheap, deterministic, good enough to vary the words.
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const word = WORDS[x % WORDS.length]!;
    out.push(word);
    length += word.length + 1;
  }
  return out.join(' ');
}

export function roleFor(index: number): Role {
  return index % 2 === 0 ? 'user' : 'assistant';
}

// Texts are made once and reused, so making a payload stays out of the timed region.
const DISTINCT_TEXTS = 1024;
const texts: string[] = [];

export function messageInput(index: number): MessageInput {
  const slot = index % DISTINCT_TEXTS;
  const content = (texts[slot] ??= messageText(slot));
  return { role: roleFor(index), content };
}

export function batch(startIndex: number, size: number): MessageInput[] {
  return Array.from({ length: size }, (_, i) => messageInput(startIndex + i));
}

/**
 * Roughly `bytes` of document-like text (a pasted file, a tool's output): the words above mixed
 * with random tokens such as ids and numbers, so it compresses about as well as real text does
 * (DEFLATE to roughly half), not as well as a 90-word vocabulary would.
 */
export function documentText(seed: number, bytes: number): string {
  let x = (seed * 2654435761 + 7) >>> 0;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const out: string[] = [];
  let length = 0;
  while (length < bytes) {
    const r = next();
    const word = r % 10 < 6 ? WORDS[next() % WORDS.length]! : next().toString(36).slice(0, 3 + (r % 6));
    out.push(r % 17 === 0 ? `${word}\n` : word);
    length += word.length + 1;
  }
  return out.join(' ').slice(0, bytes);
}
