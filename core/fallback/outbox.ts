/**
 * The fallback outbox: a small SQLite file of appends that PostgreSQL could not take, their dead
 * letters, and a drain lease. Several processes may open one file; every write is one
 * `BEGIN IMMEDIATE` transaction, so they serialise on it. Reads (the queue for a tail, the figures
 * for `stats()`) are synchronous: WAL readers never wait for a writer.
 *
 * Schema: forward-only migrations in `migrations/sqlite-outbox/`, applied with the same
 * checksummed runner as the SQLite log, so the queue's format evolves under the same rules as the
 * logs' and an outbox written by an older version is migrated, not misread.
 */
import type { Database } from 'better-sqlite3';
import type { LogAppendRequest, NewMessage } from '../backends/log.js';
import { applyMigrations, loadMigrations } from '../backends/sqlite/migrate.js';
import { SQLITE_OUTBOX_MIGRATIONS } from '../generated/assets.js';
import { runWithBusyRetry, toBackendError } from '../backends/sqlite/sqlite-errors.js';
import { openDatabase, type SqliteDurability } from '../backends/sqlite/sqlite-log.js';
import { ValidationError } from '../errors/errors.js';
import { ROLES, type EventMetadata, type JsonObject, type MessagePart, type QueuedMessage, type Role } from '../events/types.js';
import { uuidv7 } from '../events/uuid-v7.js';
import type { DeadLetter } from './types.js';

/** Repo root `migrations/sqlite-outbox`, resolved from this file (core/fallback). */

const LEASE_NAME = 'drainer';

/** What a queued append needs to be replayed as it was first asked for (expected version 'any'). */
export interface QueuedAppend {
  messages: NewMessage[];
  userId: string | null;
  metadata: EventMetadata;
  startedEventId: string;
}

export interface OutboxEntry {
  seq: number;
  conversationId: string;
  queuedAt: string;
  attempts: number;
  /** Null when the stored payload cannot be read back (it is then dead-lettered, not replayed). */
  append: QueuedAppend | null;
}

export interface OutboxCounts {
  queued: number;
  deadLettered: number;
  oldestQueuedAt: string | null;
}

export interface OutboxOptions {
  path: string;
  durability?: SqliteDurability;
  busyTimeoutMs?: number;
}

interface EntryRow {
  seq: number;
  conversation_id: string;
  payload: string;
  queued_at: string;
  attempts: number;
}

interface DeadLetterRow {
  id: string;
  conversation_id: string;
  payload: string;
  queued_at: string;
  failed_at: string;
  reason: string;
  error_code: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What the file keeps of a message: every field, the hash included, by name. */
function storedMessage(m: NewMessage): NewMessage {
  const { id, role, content, parts, metadata, contentHash } = m;
  return parts === undefined ? { id, role, content, metadata, contentHash } : { id, role, content, parts, metadata, contentHash };
}

function parseMessage(value: unknown): NewMessage | null {
  if (!isObject(value)) return null;
  const { id, role, content, parts, metadata, contentHash } = value;
  if (typeof id !== 'string' || typeof content !== 'string' || typeof contentHash !== 'string') return null;
  if (typeof role !== 'string' || !ROLES.includes(role as Role) || !isObject(metadata)) return null;
  const message = { id, role: role as Role, content, metadata: metadata as JsonObject, contentHash };
  if (parts === undefined) return message;
  if (!Array.isArray(parts) || !parts.every((part) => isObject(part) && typeof part.type === 'string')) return null;
  return { ...message, parts: parts as MessagePart[] };
}

/** The file is an input like any other (another version, a hand edit): read it defensively. */
export function parsePayload(payload: string): QueuedAppend | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!isObject(value) || !Array.isArray(value.messages) || value.messages.length === 0) return null;
  const messages = value.messages.map(parseMessage);
  if (messages.some((m) => m === null)) return null;
  const { userId, metadata, startedEventId } = value;
  if (!(userId === null || typeof userId === 'string') || !isObject(metadata) || typeof startedEventId !== 'string') return null;
  return { messages: messages as NewMessage[], userId, metadata: metadata as EventMetadata, startedEventId };
}

function messageIdsOf(payload: string): string[] {
  return parsePayload(payload)?.messages.map((m) => m.id) ?? [];
}

export interface Outbox {
  /** Queues one append; resolves once it is committed to the file. */
  enqueue(request: LogAppendRequest): Promise<OutboxEntry>;
  /** The messages queued for one conversation, in queue order (a synchronous read). */
  queuedMessages(conversationId: string): QueuedMessage[];
  /** True when the conversation has anything queued (a synchronous read). */
  hasQueued(conversationId: string): boolean;
  /** The first entry in queue order after `afterSeq` (default: the first), or null. */
  next(afterSeq?: number): OutboxEntry | null;
  /** Removes entries that were applied (or found applied) to the log, in one transaction. */
  remove(seqs: number | number[]): Promise<void>;
  /** Moves an entry to the dead letters with the reason; returns the dead letter's id. */
  deadLetter(seq: number, reason: string, errorCode: string | null): Promise<string | null>;
  /** Counts one failure that is not an outage; returns the attempts so far. */
  recordFailure(seq: number): Promise<number>;
  /** Takes or renews the drain lease for `ms`; false when another owner holds it unexpired. */
  lease(owner: string, ms: number): Promise<boolean>;
  /** Gives the lease up, if `owner` still holds it. */
  release(owner: string): Promise<void>;
  deadLetters(): DeadLetter[];
  /** Queues a dead letter again at the tail of the queue; false when the id is unknown. */
  retry(id: string): Promise<boolean>;
  /** Deletes a dead letter; false when the id is unknown. */
  discard(id: string): Promise<boolean>;
  counts(): OutboxCounts;
  /** The connection's `synchronous` setting, as SQLite reports it. */
  synchronous(): 'full' | 'normal' | 'other';
  ping(): void;
  close(): void;
}

/** Opens (creating and migrating when needed) the outbox file. */
export function openOutbox(options: OutboxOptions): Outbox {
  if (options.path === ':memory:' || options.path === '') throw new ValidationError('sqlite.path', 'the outbox must be a file');
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db: Database = openDatabase(options.path, busyTimeoutMs, options.durability ?? 'full');
  try {
    applyMigrations(db, loadMigrations(undefined, SQLITE_OUTBOX_MIGRATIONS));
  } catch (error) {
    db.close();
    throw toBackendError(error);
  }

  const st = {
    insert: db.prepare<[string, string, string]>('INSERT INTO outbox_entries (conversation_id, payload, queued_at) VALUES (?, ?, ?)'),
    forConversation: db.prepare<[string], EntryRow>('SELECT * FROM outbox_entries WHERE conversation_id = ? ORDER BY seq'),
    anyFor: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM outbox_entries WHERE conversation_id = ? LIMIT 1'),
    first: db.prepare<[number], EntryRow>('SELECT * FROM outbox_entries WHERE seq > ? ORDER BY seq LIMIT 1'),
    bySeq: db.prepare<[number], EntryRow>('SELECT * FROM outbox_entries WHERE seq = ?'),
    remove: db.prepare<[number]>('DELETE FROM outbox_entries WHERE seq = ?'),
    fail: db.prepare<[number], { attempts: number }>('UPDATE outbox_entries SET attempts = attempts + 1 WHERE seq = ? RETURNING attempts'),
    insertDead: db.prepare<[string, string, string, string, string, string, string | null]>(
      'INSERT INTO outbox_dead_letters (id, conversation_id, payload, queued_at, failed_at, reason, error_code) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    dead: db.prepare<[], DeadLetterRow>('SELECT * FROM outbox_dead_letters ORDER BY failed_at, id'),
    deadById: db.prepare<[string], DeadLetterRow>('SELECT * FROM outbox_dead_letters WHERE id = ?'),
    removeDead: db.prepare<[string]>('DELETE FROM outbox_dead_letters WHERE id = ?'),
    requeue: db.prepare<[string, string, string]>('INSERT INTO outbox_entries (conversation_id, payload, queued_at) VALUES (?, ?, ?)'),
    leaseRow: db.prepare<[string], { owner: string; expires_at: number }>('SELECT owner, expires_at FROM outbox_lease WHERE name = ?'),
    setLease: db.prepare<[string, string, number]>(
      'INSERT INTO outbox_lease (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
    ),
    releaseLease: db.prepare<[string, string]>('DELETE FROM outbox_lease WHERE name = ? AND owner = ?'),
    counts: db.prepare<[], { queued: number; oldest: string | null; dead: number }>(
      'SELECT (SELECT count(*) FROM outbox_entries) AS queued, (SELECT min(queued_at) FROM outbox_entries) AS oldest, (SELECT count(*) FROM outbox_dead_letters) AS dead',
    ),
    ping: db.prepare('SELECT 1'),
  };

  const toEntry = (row: EntryRow): OutboxEntry => ({
    seq: row.seq,
    conversationId: row.conversation_id,
    queuedAt: row.queued_at,
    attempts: row.attempts,
    append: parsePayload(row.payload),
  });

  /** A write: one immediate transaction, busy retries, driver errors wrapped. */
  const write = <A extends unknown[], T>(body: (...args: A) => T) => {
    const transaction = db.transaction(body);
    return (...args: A): Promise<T> => runWithBusyRetry(() => transaction.immediate(...args), busyTimeoutMs);
  };
  const read = <T>(body: () => T): T => {
    try {
      return body();
    } catch (error) {
      throw toBackendError(error);
    }
  };

  const enqueue = write((request: LogAppendRequest): OutboxEntry => {
    const queuedAt = new Date().toISOString();
    const payload: QueuedAppend = {
      messages: request.messages.map(storedMessage),
      userId: request.userId,
      metadata: request.metadata,
      startedEventId: request.startedEventId,
    };
    const result = st.insert.run(request.conversationId, JSON.stringify(payload), queuedAt);
    return { seq: Number(result.lastInsertRowid), conversationId: request.conversationId, queuedAt, attempts: 0, append: payload };
  });

  const deadLetter = write((seq: number, reason: string, errorCode: string | null): string | null => {
    const row = st.bySeq.get(seq);
    if (row === undefined) return null;
    const id = uuidv7();
    st.insertDead.run(id, row.conversation_id, row.payload, row.queued_at, new Date().toISOString(), reason, errorCode);
    st.remove.run(seq);
    return id;
  });

  const lease = write((owner: string, ms: number): boolean => {
    const now = Date.now();
    const current = st.leaseRow.get(LEASE_NAME);
    if (current !== undefined && current.owner !== owner && current.expires_at > now) return false;
    st.setLease.run(LEASE_NAME, owner, now + ms);
    return true;
  });

  const retry = write((id: string): boolean => {
    const row = st.deadById.get(id);
    if (row === undefined) return false;
    // A new sequence number: behind everything its conversation has queued since.
    st.requeue.run(row.conversation_id, row.payload, row.queued_at);
    st.removeDead.run(id);
    return true;
  });

  const asSynchronous = (value: unknown): 'full' | 'normal' | 'other' => (value === 2 ? 'full' : value === 1 ? 'normal' : 'other');

  return {
    enqueue,
    queuedMessages(conversationId) {
      return read(() =>
        st.forConversation.all(conversationId).flatMap((row) => {
          const append = parsePayload(row.payload);
          if (append === null) return [];
          return append.messages.map(
            (m): QueuedMessage => ({
              id: m.id,
              conversationId,
              version: null,
              role: m.role,
              content: m.content,
              ...(m.parts !== undefined ? { parts: m.parts } : {}),
              createdAt: row.queued_at,
              metadata: m.metadata,
              redacted: false,
            }),
          );
        }),
      );
    },
    hasQueued(conversationId) {
      return read(() => st.anyFor.get(conversationId) !== undefined);
    },
    next(afterSeq = 0) {
      return read(() => {
        const row = st.first.get(afterSeq);
        return row === undefined ? null : toEntry(row);
      });
    },
    remove: write((seqs: number | number[]) => {
      for (const seq of typeof seqs === 'number' ? [seqs] : seqs) st.remove.run(seq);
    }),
    deadLetter,
    recordFailure: write((seq: number) => st.fail.get(seq)?.attempts ?? 0),
    lease,
    release: write((owner: string) => {
      st.releaseLease.run(LEASE_NAME, owner);
    }),
    deadLetters() {
      return read(() =>
        st.dead.all().map((row) => ({
          id: row.id,
          conversationId: row.conversation_id,
          messageIds: messageIdsOf(row.payload),
          reason: row.reason,
          errorCode: row.error_code,
          queuedAt: row.queued_at,
          failedAt: row.failed_at,
        })),
      );
    },
    retry,
    discard: write((id: string) => st.removeDead.run(id).changes > 0),
    counts() {
      return read(() => {
        const row = st.counts.get();
        return { queued: row?.queued ?? 0, deadLettered: row?.dead ?? 0, oldestQueuedAt: row?.oldest ?? null };
      });
    },
    synchronous() {
      return asSynchronous(db.pragma('synchronous', { simple: true }));
    },
    ping() {
      read(() => st.ping.get());
    },
    close() {
      db.close();
    },
  };
}
