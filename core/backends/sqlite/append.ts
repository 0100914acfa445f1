/**
 * The append transaction body (run inside `BEGIN IMMEDIATE`, so writers are serialised and the
 * checks below cannot race). Order of checks, as log.ts specifies: deleted → idempotency →
 * expected version. Message text reaches the search index later, in batches (search-index.ts).
 */
import {
  ConversationDeletedError,
  IdempotencyConflictError,
  ValidationError,
  VersionConflictError,
} from '../../errors/errors.js';
import type { ExpectedVersion, Message } from '../../events/types.js';
import type { LogAppendRequest, LogAppendResult } from '../log.js';
import { eventRowToMessage, firstCodePoints, PREVIEW_CODE_POINTS, storedContentHash, type EventRow, type MessageData } from './rows.js';
import { sqliteCode } from './sqlite-errors.js';
import { MAX_ROWS_PER_INSERT, type Statements } from './statements.js';

export function expectedVersionHolds(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 0;
  if (expected === 'exists') return actual > 0;
  return actual === expected;
}

/** True when an insert failed because an event id is already stored in the conversation. */
export function isDuplicateEventId(error: unknown): boolean {
  return sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' && error instanceof Error && error.message.includes('event_id');
}

/**
 * `checkIdsFirst` is false on the first attempt: a fresh append then costs no id lookups, and a
 * stored id surfaces as a unique violation, after which the caller reruns with the full check.
 */
export function appendInTransaction(
  st: Statements,
  request: LogAppendRequest,
  checkIdsFirst: boolean,
): LogAppendResult {
  const { conversationId, messages } = request;
  const last = messages.at(-1);
  if (last === undefined) throw new ValidationError('messages', 'at least one message is required');

  const conversation = st.conversationHead.get(conversationId);
  if (conversation?.status === 'deleted') throw new ConversationDeletedError(conversationId);
  const actual = conversation?.version ?? 0;
  const versionHolds = expectedVersionHolds(request.expectedVersion, actual);

  if (conversation !== undefined && (checkIdsFirst || !versionHolds)) {
    const retry = findStoredAppend(st, request);
    if (retry !== null) return retry;
  }
  if (!versionHolds) {
    const expected = request.expectedVersion;
    // 'any' always holds, so only the three checked forms reach here.
    throw new VersionConflictError(conversationId, expected === 'any' ? 0 : expected, actual);
  }

  const now = new Date().toISOString();
  const metadata = JSON.stringify(request.metadata);
  let version = actual;
  if (conversation === undefined) {
    st.insertConversation.run(conversationId, request.userId, now, now);
    st.insertEvent.run(
      conversationId,
      ++version,
      request.startedEventId,
      'conversation.started',
      JSON.stringify({ userId: request.userId }),
      metadata,
      now,
      null,
    );
  }

  const written: Message[] = new Array<Message>(messages.length);
  let position = 0;
  // Rows go in as few statements as the batch's binary decomposition allows (100 → 64 + 32 + 4):
  // every run is a driver call with its own bind, step and reset, which one row does not repay.
  for (let start = 0; start < messages.length; ) {
    const rows = chunkRows(messages.length - start);
    const params = new Array<unknown>(rows * 8);
    for (let row = 0, p = 0; row < rows; row++) {
      const message = messages[start + row]!;
      const data: MessageData =
        message.parts === undefined
          ? { role: message.role, content: message.content, metadata: message.metadata }
          : { role: message.role, content: message.content, parts: message.parts, metadata: message.metadata };
      params[p++] = conversationId;
      params[p++] = ++version;
      params[p++] = message.id;
      params[p++] = 'message.appended';
      params[p++] = JSON.stringify(data);
      params[p++] = metadata;
      params[p++] = now;
      // No hash: a retry hashes the stored text (storedContentHash), a redaction keeps the hash.
      params[p++] = null;
      written[start + row] =
        message.parts === undefined
          ? {
              id: message.id,
              conversationId,
              version,
              role: message.role,
              content: message.content,
              createdAt: now,
              metadata: message.metadata,
              redacted: false,
            }
          : {
              id: message.id,
              conversationId,
              version,
              role: message.role,
              content: message.content,
              parts: message.parts,
              createdAt: now,
              metadata: message.metadata,
              redacted: false,
            };
    }
    // Rows are inserted in order, so the last statement's last row is the batch's head.
    position = Number(st.insertEvents(rows).run(...params).lastInsertRowid);
    start += rows;
  }
  st.updateAfterAppend.run(
    version,
    messages.length,
    now,
    position,
    firstCodePoints(last.content, PREVIEW_CODE_POINTS),
    conversationId,
  );
  return {
    version,
    position,
    outcome: 'appended',
    messages: written,
    previousVersion: actual,
    created: conversation === undefined,
  };
}

/** The largest power of two not above `remaining`, capped at the largest prepared insert. */
function chunkRows(remaining: number): number {
  if (remaining >= MAX_ROWS_PER_INSERT) return MAX_ROWS_PER_INSERT;
  return 2 ** Math.floor(Math.log2(remaining));
}

/**
 * An idempotent retry: every id stored with the same hash → the original result; no id stored →
 * null (a new append); anything in between → IdempotencyConflictError.
 */
function findStoredAppend(st: Statements, request: LogAppendRequest): LogAppendResult | null {
  const { conversationId } = request;
  const stored: EventRow[] = [];
  let newId: string | null = null;
  for (const message of request.messages) {
    const row = st.eventById.get(conversationId, message.id);
    if (row === undefined) {
      newId ??= message.id;
      continue;
    }
    if (row.type !== 'message.appended' || storedContentHash(row) !== message.contentHash) {
      throw new IdempotencyConflictError(
        conversationId,
        message.id,
        'message id is already stored with another role, content or metadata',
      );
    }
    stored.push(row);
  }
  if (stored.length === 0) return null;
  if (newId !== null) {
    throw new IdempotencyConflictError(conversationId, newId, 'some message ids of this batch are stored, others are new');
  }
  stored.sort((a, b) => a.version - b.version);
  const head = stored.at(-1)!;
  return {
    version: head.version,
    position: head.position,
    outcome: 'already_appended',
    messages: stored.map(eventRowToMessage),
    previousVersion: head.version,
    created: false,
  };
}
