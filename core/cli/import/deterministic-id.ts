/**
 * Message ids for sources that have none: a name-based UUID (RFC 9562 version 5, SHA-1) of the
 * source format, the session and the message's place in it. The same source row always gets the
 * same id, so a re-run import finds its earlier appends stored; and the id is UUID-shaped, which
 * every store version accepts as a message id.
 */
import { createHash } from 'node:crypto';

/** Namespace of Scrollback import ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('5c1b0a7e9d2f4e0b8a6c3f1d2e4b6a80', 'hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

export function uuidV5(name: string, namespace: Buffer = NAMESPACE): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The id an imported message is stored under: its own when UUID-shaped, else a derived one. */
export function importedMessageId(format: string, sessionId: string, place: string, ownId: unknown): string {
  if (isUuid(ownId)) return ownId.toLowerCase();
  // NUL separates the parts: none of them can contain it, so distinct triples never collide.
  return uuidV5(`${format}\u0000${sessionId}\u0000${place}`);
}
