/**
 * Control writes (rename, redact, revise, retract, soft delete) and the hard delete, each run inside
 * one `BEGIN IMMEDIATE` transaction. Redaction rewrites the message event (and its revisions) in
 * place; revision and retraction update the message's current state on its appended row. Each
 * keeps the search index to its invariant (see search-index.ts) and recomputes the preview in the
 * same transaction.
 */
import {
  ConversationDeletedError,
  ConversationNotFoundError,
  IdempotencyConflictError,
  ValidationError,
} from '../../errors/errors.js';
import { canonicalJson } from '../../events/content-hash.js';
import type { JsonObject } from '../../events/types.js';
import type { ControlEvent, ControlRequest, ControlResult } from '../log.js';
import {
  firstCodePoints,
  PREVIEW_CODE_POINTS,
  storedContentHash,
  type ConversationRow,
  type EventRow,
  type MessageData,
  type RevisionData,
} from './rows.js';
import { indexedThrough } from './search-index.js';
import type { Statements } from './statements.js';

export function controlInTransaction(st: Statements, request: ControlRequest): ControlResult {
  const { conversationId } = request;
  const conversation = st.conversation.get(conversationId);
  if (conversation === undefined) throw new ConversationNotFoundError(conversationId);
  const event = request.event;
  if (conversation.status === 'deleted' && event.type !== 'message.redacted' && event.type !== 'conversation.deleted') {
    throw new ConversationDeletedError(conversation.id);
  }
  if (request.idempotencyHash !== undefined) {
    const stored = st.eventById.get(conversation.id, request.eventId);
    if (stored !== undefined) {
      if (stored.type === event.type && stored.content_hash === request.idempotencyHash) {
        return { conversationId: conversation.id, version: stored.version, position: stored.position, changed: false };
      }
      throw new IdempotencyConflictError(conversation.id, request.eventId, 'event id is already stored with another payload');
    }
  }
  switch (event.type) {
    case 'conversation.renamed':
      return rename(st, request, conversation, event.title);
    case 'message.redacted':
      return redact(st, request, conversation, event);
    case 'conversation.deleted':
      return softDelete(st, request, conversation);
    case 'message.revised':
      return revise(st, request, conversation, event);
    case 'message.retracted':
      return retract(st, request, conversation, event.messageId);
    case 'conversation.metadata-set':
      return setMetadata(st, request, conversation, event);
  }
}

/** Removes every row of the conversation, search rows included; null when it is unknown. */
export function hardDeleteInTransaction(st: Statements, conversationId: string): { position: number } | null {
  const conversation = st.conversation.get(conversationId);
  if (conversation === undefined) return null;
  st.unindexConversation.run(conversationId, indexedThrough(st));
  if (conversation.title !== null && conversation.title_position !== null) {
    st.unindexText.run(conversation.title_position, conversation.title);
  }
  st.deleteEvents.run(conversationId);
  st.deleteConversation.run(conversationId);
  return { position: conversation.last_position };
}

function insertControlEvent(
  st: Statements,
  request: ControlRequest,
  version: number,
  data: Record<string, unknown>,
): number {
  const result = st.insertEvent.run(
    request.conversationId,
    version,
    request.eventId,
    request.event.type,
    JSON.stringify(data),
    JSON.stringify(request.metadata),
    new Date().toISOString(),
    request.idempotencyHash ?? null,
  );
  return Number(result.lastInsertRowid);
}

/** The `message.appended` row of a message; unknown → ValidationError('messageId'). */
function messageRow(st: Statements, conversationId: string, messageId: string): EventRow {
  const row = st.eventById.get(conversationId, messageId);
  if (row === undefined || row.type !== 'message.appended') {
    throw new ValidationError('messageId', 'no message with this id in the conversation');
  }
  return row;
}

/** True when the message's current text is in the search index (see search-index.ts). */
function isIndexed(st: Statements, row: EventRow): boolean {
  return row.redacted === null && row.retracted === 0 && row.position <= indexedThrough(st);
}

function refreshPreview(st: Statements, conversationId: string): void {
  const latest = st.lastUnredactedMessage.get(conversationId);
  const body = latest === undefined ? null : ((latest.revision === null ? JSON.parse(latest.data) : JSON.parse(latest.revision)) as RevisionData);
  st.updatePreview.run(firstCodePoints(body?.content ?? '', PREVIEW_CODE_POINTS), conversationId);
}

function unchanged(conversation: ConversationRow): ControlResult {
  return {
    conversationId: conversation.id,
    version: conversation.version,
    position: conversation.last_position,
    changed: false,
  };
}

function rename(st: Statements, request: ControlRequest, conversation: ConversationRow, title: string): ControlResult {
  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, { title });
  if (conversation.title !== null && conversation.title_position !== null) {
    st.unindexText.run(conversation.title_position, conversation.title);
  }
  st.indexText.run(position, title);
  st.updateTitle.run(title, position, version, position, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}

function redact(
  st: Statements,
  request: ControlRequest,
  conversation: ConversationRow,
  event: Extract<ControlEvent, { type: 'message.redacted' }>,
): ControlResult {
  const row = messageRow(st, conversation.id, event.messageId);
  // Same or weaker than what was done already: purge covers mask, and nothing covers purge.
  if (row.redacted === 'purge' || row.redacted === event.mode) return unchanged(conversation);

  if (isIndexed(st, row)) st.unindexMessage.run(row.position);
  const data = JSON.parse(row.data) as MessageData;
  // Parts go with the text: they hold it too.
  const rewritten: MessageData = {
    role: data.role,
    content: '',
    metadata: event.mode === 'purge' ? {} : data.metadata,
    redacted: event.mode,
  };
  let revision: string | null = null;
  if (row.revision !== null) {
    const current = JSON.parse(row.revision) as RevisionData;
    revision = JSON.stringify({ content: '', metadata: event.mode === 'purge' ? {} : current.metadata } satisfies RevisionData);
  }
  // The hash is taken from the text before it goes, so a retry of the original append still compares.
  st.rewriteMessage.run(JSON.stringify(rewritten), event.mode, revision, storedContentHash(row), row.position);
  // Every revision of the message held its text too; their hashes stay, so a retried revision is
  // still recognised.
  for (const stored of st.revisionsOf.all(conversation.id, event.messageId)) {
    const data = JSON.parse(stored.data) as { messageId: string; metadata?: unknown };
    const blanked = event.mode !== 'purge' && data.metadata !== undefined ? { messageId: data.messageId, content: '', metadata: data.metadata } : { messageId: data.messageId, content: '' };
    st.rewriteRevision.run(JSON.stringify(blanked), event.mode, stored.position);
  }

  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, {
    messageId: event.messageId,
    mode: event.mode,
    reason: event.reason,
    by: event.by,
  });
  st.updateHead.run(version, position, conversation.id);
  if (row.redacted === null) refreshPreview(st, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}

function revise(
  st: Statements,
  request: ControlRequest,
  conversation: ConversationRow,
  event: Extract<ControlEvent, { type: 'message.revised' }>,
): ControlResult {
  const row = messageRow(st, conversation.id, event.messageId);
  if (row.redacted !== null) throw new ValidationError('messageId', 'the message is redacted');
  if (row.retracted === 1) throw new ValidationError('messageId', 'the message is retracted');
  const previous = (row.revision === null ? JSON.parse(row.data) : JSON.parse(row.revision)) as RevisionData;
  const current: RevisionData = {
    content: event.content,
    ...(event.parts !== undefined ? { parts: event.parts } : {}),
    metadata: event.metadata ?? previous.metadata,
  };
  const indexed = isIndexed(st, row);
  // The index row is removed with the text it was made from, so before the revision replaces it.
  if (indexed) st.unindexMessage.run(row.position);
  st.setRevision.run(JSON.stringify(current), row.position);
  if (indexed) st.indexText.run(row.position, event.content);

  const version = conversation.version + 1;
  const data: Record<string, unknown> = { messageId: event.messageId, content: event.content };
  if (event.parts !== undefined) data.parts = event.parts;
  if (event.metadata !== undefined) data.metadata = event.metadata;
  const position = insertControlEvent(st, request, version, data);
  st.updateHead.run(version, position, conversation.id);
  refreshPreview(st, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}

function retract(st: Statements, request: ControlRequest, conversation: ConversationRow, messageId: string): ControlResult {
  const row = messageRow(st, conversation.id, messageId);
  // Gone from every view already.
  if (row.retracted === 1 || row.redacted === 'purge') return unchanged(conversation);
  if (isIndexed(st, row)) st.unindexMessage.run(row.position);
  st.markRetracted.run(row.position);
  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, { messageId });
  st.updateHead.run(version, position, conversation.id);
  refreshPreview(st, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}

function setMetadata(
  st: Statements,
  request: ControlRequest,
  conversation: ConversationRow,
  event: Extract<ControlEvent, { type: 'conversation.metadata-set' }>,
): ControlResult {
  const merged: JsonObject = { ...(JSON.parse(conversation.metadata) as JsonObject), ...event.set };
  for (const key of event.unset) delete merged[key];
  // Canonical, so the listing filter can compare values as text (see list.ts).
  const json = canonicalJson(merged);
  if (Buffer.byteLength(json, 'utf8') > event.maxBytes) {
    throw new ValidationError('metadata', `merged with the conversation's metadata, must serialise to at most ${event.maxBytes} bytes`);
  }
  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, { set: event.set, unset: event.unset });
  st.updateMetadata.run(json, version, position, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}

function softDelete(st: Statements, request: ControlRequest, conversation: ConversationRow): ControlResult {
  if (conversation.status === 'deleted') return unchanged(conversation);
  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, { hard: false });
  st.markDeleted.run(version, position, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}
