/** What one event changed, for the replay's "what changed" panel and highlights. */
import type { StoredEvent } from '../../../core/events/types.js';

export interface Change {
  summary: string;
  /** Messages to highlight in the state at this version. */
  messageIds: string[];
  titleChanged: boolean;
  kind: 'added' | 'redacted' | 'renamed' | 'started' | 'deleted' | 'revised' | 'retracted' | 'metadata';
}

export function describeChange(event: StoredEvent): Change {
  switch (event.type) {
    case 'conversation.started':
      return { kind: 'started', summary: `Conversation started${event.data.userId ? ` by ${event.data.userId}` : ''}`, messageIds: [], titleChanged: false };
    case 'message.appended':
      return { kind: 'added', summary: `${event.data.role} message appended`, messageIds: [event.eventId], titleChanged: false };
    case 'message.redacted':
      return {
        kind: 'redacted',
        summary: `Message ${event.data.messageId.slice(0, 8)}… redacted (${event.data.mode}): ${event.data.reason}`,
        messageIds: [event.data.messageId],
        titleChanged: false,
      };
    case 'conversation.renamed':
      return { kind: 'renamed', summary: `Renamed to “${event.data.title}”`, messageIds: [], titleChanged: true };
    case 'conversation.deleted':
      return { kind: 'deleted', summary: 'Conversation deleted (soft)', messageIds: [], titleChanged: false };
    case 'message.revised':
      return { kind: 'revised', summary: `Message ${event.data.messageId.slice(0, 8)}… revised`, messageIds: [event.data.messageId], titleChanged: false };
    case 'conversation.metadata-set':
      return { kind: 'metadata', summary: `Metadata set: ${[...Object.keys(event.data.set), ...event.data.unset].join(', ')}`, messageIds: [], titleChanged: false };
    case 'message.retracted':
      return { kind: 'retracted', summary: `Message ${event.data.messageId.slice(0, 8)}… retracted`, messageIds: [event.data.messageId], titleChanged: false };
  }
}

/** Playback interval for a speed multiplier (1× = one event per second), floored so it can't spin. */
export function playbackIntervalMs(speed: number): number {
  const safe = Number.isFinite(speed) && speed > 0 ? speed : 1;
  return Math.max(50, Math.round(1000 / safe));
}

export function clampVersion(version: number, head: number): number {
  if (head < 1) return 0;
  if (!Number.isFinite(version)) return head;
  return Math.min(head, Math.max(1, Math.round(version)));
}
