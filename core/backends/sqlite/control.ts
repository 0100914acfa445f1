/**
 * Control writes (rename, redact, soft delete) and the hard delete, each run inside one
 * `BEGIN IMMEDIATE` transaction. Redaction rewrites the message event in place and removes its text
 * from the search index (when it got there already: see search-index.ts); the projection's preview
 * is recomputed in the same transaction.
 */
import {
  ConversationDeletedError,
  ConversationNotFoundError,
  ValidationError,
} from '../../errors/errors.js';
import type { ControlEvent, ControlRequest, ControlResult } from '../log.js';
import { firstCodePoints, PREVIEW_CODE_POINTS, type ConversationRow, type MessageData } from './rows.js';
import { indexedThrough } from './search-index.js';
import type { Statements } from './statements.js';

export function controlInTransaction(st: Statements, request: ControlRequest): ControlResult {
  const { conversationId } = request;
  const conversation = st.conversation.get(conversationId);
  if (conversation === undefined) throw new ConversationNotFoundError(conversationId);
  const event = request.event;
  switch (event.type) {
    case 'conversation.renamed':
      return rename(st, request, conversation, event.title);
    case 'message.redacted':
      return redact(st, request, conversation, event);
    case 'conversation.deleted':
      return softDelete(st, request, conversation);
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
    null,
  );
  return Number(result.lastInsertRowid);
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
  if (conversation.status === 'deleted') throw new ConversationDeletedError(conversation.id);
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
  const row = st.eventById.get(conversation.id, event.messageId);
  if (row === undefined || row.type !== 'message.appended') {
    throw new ValidationError('messageId', 'no message with this id in the conversation');
  }
  // Same or weaker than what was done already: purge covers mask, and nothing covers purge.
  if (row.redacted === 'purge' || row.redacted === event.mode) return unchanged(conversation);

  if (row.redacted === null && row.position <= indexedThrough(st)) st.unindexMessage.run(row.position);
  const data = JSON.parse(row.data) as MessageData;
  // Parts go with the text: they hold it too.
  const rewritten: MessageData = {
    role: data.role,
    content: '',
    metadata: event.mode === 'purge' ? {} : data.metadata,
    redacted: event.mode,
  };
  st.rewriteMessage.run(JSON.stringify(rewritten), event.mode, row.position);

  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, {
    messageId: event.messageId,
    mode: event.mode,
    reason: event.reason,
    by: event.by,
  });
  st.updateHead.run(version, position, conversation.id);
  if (row.redacted === null) {
    const latest = st.lastUnredactedMessage.get(conversation.id);
    const preview = latest === undefined ? '' : (JSON.parse(latest.data) as MessageData).content;
    st.updatePreview.run(firstCodePoints(preview, PREVIEW_CODE_POINTS), conversation.id);
  }
  return { conversationId: conversation.id, version, position, changed: true };
}

function softDelete(st: Statements, request: ControlRequest, conversation: ConversationRow): ControlResult {
  if (conversation.status === 'deleted') return unchanged(conversation);
  const version = conversation.version + 1;
  const position = insertControlEvent(st, request, version, { hard: false });
  st.markDeleted.run(version, position, conversation.id);
  return { conversationId: conversation.id, version, position, changed: true };
}
