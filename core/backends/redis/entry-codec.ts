/**
 * How one cached message is stored as a Redis list item: its JSON, or — for messages over a
 * threshold — raw DEFLATE of the JSON in base64 behind a `~` marker (no JSON text starts with
 * `~`). Large pasted documents and tool results shrink to a fraction; small chat turns stay
 * plain, since inflating costs a fixed ~20 µs that parsing them does not (see the benchmark's
 * "large entries" rows). Base64 keeps replies as strings, so scripts and every reader see one
 * item type.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const MARKER = '~';

export interface EntryCodec {
  encode(json: string): string;
  /** The JSON text of an item; throws on a compressed item that does not inflate. */
  decode(item: string): string;
}

/** `compressAboveBytes`: 0 stores everything plain (compressed items are still read). */
export function createEntryCodec(compressAboveBytes: number): EntryCodec {
  return {
    encode(json) {
      // String length (UTF-16 units) stands in for bytes: a threshold, not a budget.
      if (compressAboveBytes <= 0 || json.length <= compressAboveBytes) return json;
      const packed = MARKER + deflateRawSync(json, { level: 1 }).toString('base64');
      return packed.length < json.length ? packed : json;
    },
    decode(item) {
      if (!item.startsWith(MARKER)) return item;
      return inflateRawSync(Buffer.from(item.slice(1), 'base64')).toString('utf8');
    },
  };
}
