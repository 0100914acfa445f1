/**
 * Request builders for the log backends' own tests: the store normally validates input, assigns
 * ids and computes hashes before it calls a log, so these do the same.
 */
import { contentHash } from '../events/content-hash.js';
import type { ExpectedVersion, JsonObject, MessagePart, Role } from '../events/types.js';
import { uuidv7 } from '../events/uuid-v7.js';
import type { ControlEvent, ControlRequest, LogAppendRequest, NewMessage } from '../backends/log.js';

export function newMessage(
  content: string,
  options: { role?: Role; id?: string; metadata?: JsonObject; parts?: MessagePart[] } = {},
): NewMessage {
  const role = options.role ?? 'user';
  const metadata = options.metadata ?? {};
  const { parts } = options;
  return parts === undefined
    ? { id: options.id ?? uuidv7(), role, content, metadata, contentHash: contentHash(role, content, metadata) }
    : { id: options.id ?? uuidv7(), role, content, parts, metadata, contentHash: contentHash(role, content, metadata, parts) };
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
    startedEventId: uuidv7(),
    metadata: userId === null ? {} : { userId },
  };
}

export function controlRequest(conversationId: string, event: ControlEvent): ControlRequest {
  return { conversationId, eventId: uuidv7(), event, metadata: {} };
}
