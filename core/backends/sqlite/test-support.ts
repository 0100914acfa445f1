/**
 * Request builders for the SQLite log's own tests and worker processes (the store normally
 * validates input, assigns ids and computes hashes before calling the log).
 */
import { createHash, randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpectedVersion, JsonObject, Role } from '../../events/types.js';
import type { ControlEvent, ControlRequest, LogAppendRequest, NewMessage } from '../log.js';

export function newMessage(content: string, options: { role?: Role; id?: string; metadata?: JsonObject } = {}): NewMessage {
  const role = options.role ?? 'user';
  const metadata = options.metadata ?? {};
  return {
    // Time-ordered, like the ids the store generates.
    id: options.id ?? uuidv7(),
    role,
    content,
    metadata,
    contentHash: createHash('sha256').update(JSON.stringify([role, content, metadata])).digest('hex'),
  };
}

export function appendRequest(
  conversationId: string,
  messages: NewMessage[],
  options: { expectedVersion?: ExpectedVersion; userId?: string | null } = {},
): LogAppendRequest {
  const userId = options.userId === undefined ? 'user-1' : options.userId;
  return {
    conversationId,
    messages,
    expectedVersion: options.expectedVersion ?? 'any',
    userId,
    startedEventId: randomUUID(),
    metadata: userId === null ? {} : { userId },
  };
}

export function controlRequest(conversationId: string, event: ControlEvent): ControlRequest {
  return { conversationId, eventId: randomUUID(), event, metadata: {} };
}

/** A fresh folder for database files; `remove` deletes it. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'scrollback-sqlite-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
