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

/**
 * A point in commit order: (transaction id, position), compared as a row value. An `'end'`
 * checkpoint also carries the snapshot taken when it was fixed: events of transactions that had
 * committed by then (visible in it) are skipped even when they sort after (tx, position), which
 * happens when an older transaction elsewhere in the cluster was still open. It is dropped once
 * the checkpoint passes the snapshot's xmax, past which no transaction can be visible in it.
 */
export interface Checkpoint {
  tx: string;
  position: string;
  /** pg_snapshot text, `xmin:xmax:xip,…`. */
  snapshot?: string;
}

export const START_CHECKPOINT: Checkpoint = { tx: '0', position: '0' };

const SNAPSHOT = /^(\d{1,20}):(\d{1,20}):((\d{1,20})(,\d{1,20}){0,10000})?$/;

export function encodeCheckpoint(checkpoint: Checkpoint): string {
  const base = `${checkpoint.tx}:${checkpoint.position}`;
  return checkpoint.snapshot === undefined ? base : `${base}@${checkpoint.snapshot}`;
}

export function decodeCheckpoint(text: string): Checkpoint {
  if (text === 'start') return START_CHECKPOINT;
  const [point, snapshot, ...rest] = text.split('@');
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(point ?? '');
  if (match === null || match[1] === undefined || match[2] === undefined || rest.length > 0 || (snapshot !== undefined && !SNAPSHOT.test(snapshot))) {
    throw new ValidationError('checkpoint', 'is not a PostgreSQL checkpoint this store returned');
  }
  return { tx: match[1], position: match[2], ...(snapshot !== undefined ? { snapshot } : {}) };
}

/** The snapshot still matters after `tx`: only while tx is below the snapshot's xmax. */
export function keepSnapshot(snapshot: string | undefined, tx: string): string | undefined {
  if (snapshot === undefined) return undefined;
  const xmax = BigInt(snapshot.split(':')[1] ?? '0');
  return BigInt(tx) < xmax ? snapshot : undefined;
}
