/**
 * Opaque strings handed to callers: the list cursor (the exact sort key of the last row) and the
 * subscription checkpoint (transaction id and position of the last delivered event).
 */
import { ValidationError } from '../../errors/errors.js';

export interface ListCursor {
  lastMessageAt: string;
  id: string;
}

export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.lastMessageAt, cursor.id]), 'utf8').toString('base64url');
}

export function decodeListCursor(text: string): ListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError('cursor', 'is not a cursor this store returned', { cause: error });
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0]))
  ) {
    throw new ValidationError('cursor', 'is not a cursor this store returned');
  }
  return { lastMessageAt: parsed[0], id: parsed[1] };
}

/** A point in commit order: (transaction id, position), compared as a row value. */
export interface Checkpoint {
  tx: string;
  position: string;
}

export const START_CHECKPOINT: Checkpoint = { tx: '0', position: '0' };

export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.tx}:${checkpoint.position}`;
}

export function decodeCheckpoint(text: string): Checkpoint {
  if (text === 'start') return START_CHECKPOINT;
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(text);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new ValidationError('checkpoint', 'is not a PostgreSQL checkpoint this store returned');
  }
  return { tx: match[1], position: match[2] };
}
