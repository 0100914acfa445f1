/** Replay: fold a conversation's events into its state at some version. */
import type { ConversationState, Message, StoredEvent } from './types.js';

/** The message a `message.appended` event projects to. */
export function messageFromEvent(event: Extract<StoredEvent, { type: 'message.appended' }>): Message {
  return {
    id: event.eventId,
    conversationId: event.conversationId,
    version: event.version,
    role: event.data.role,
    content: event.data.content,
    ...(event.data.parts !== undefined ? { parts: event.data.parts } : {}),
    createdAt: event.recordedAt,
    metadata: event.data.metadata,
    redacted: event.data.redacted !== undefined,
  };
}

export function emptyState(conversationId: string): ConversationState {
  return { conversationId, userId: null, title: null, status: 'active', version: 0, messages: [] };
}

/**
 * Applies events (in version order) to a state. Redacted text is already gone from the stored
 * events, so a replay never shows it at any version; purged messages are left out entirely. A
 * revision replaces a message's body in place from its version on; a retraction removes it.
 */
export function foldEvents(state: ConversationState, events: readonly StoredEvent[]): ConversationState {
  let { userId, title, status, version } = state;
  const messages = [...state.messages];
  for (const event of events) {
    version = event.version;
    switch (event.type) {
      case 'conversation.started':
        userId = event.data.userId;
        break;
      case 'message.appended':
        if (event.data.redacted !== 'purge') messages.push(messageFromEvent(event));
        break;
      case 'message.redacted': {
        const index = messages.findIndex((message) => message.id === event.data.messageId);
        const target = messages[index];
        if (target === undefined) break;
        if (event.data.mode === 'purge') messages.splice(index, 1);
        else {
          const { parts: _gone, ...rest } = target;
          messages[index] = { ...rest, content: '', redacted: true };
        }
        break;
      }
      case 'message.revised': {
        const index = messages.findIndex((message) => message.id === event.data.messageId);
        const target = messages[index];
        // A redacted message is never revised (and its revisions are blanked with it).
        if (target === undefined || target.redacted) break;
        const { parts: _previous, ...rest } = target;
        messages[index] = {
          ...rest,
          content: event.data.content,
          ...(event.data.parts !== undefined ? { parts: event.data.parts } : {}),
          metadata: event.data.metadata ?? target.metadata,
        };
        break;
      }
      case 'message.retracted': {
        const index = messages.findIndex((message) => message.id === event.data.messageId);
        if (index >= 0) messages.splice(index, 1);
        break;
      }
      case 'conversation.renamed':
        title = event.data.title;
        break;
      case 'conversation.deleted':
        status = 'deleted';
        break;
      case 'conversation.metadata-set':
        // Not part of the replayed state: conversation metadata is read from ConversationInfo.
        break;
    }
  }
  return { conversationId: state.conversationId, userId, title, status, version, messages };
}
