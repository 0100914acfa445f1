/**
 * What every import source yields: conversations, each with its items in order. A message always
 * has an id (the source's own, or a derived one), so the import is idempotent by message id.
 */
import type { MessageInput, MetadataPatch, RedactionMode, RevisionInput } from '../../events/types.js';

export type ImportMessage = MessageInput & { id: string };

export type ImportItem =
  | { kind: 'message'; message: ImportMessage }
  /** The other events of a conversation (JSONL exports only); `eventId` is the source event's. */
  | { kind: 'rename'; eventId: string; title: string }
  | { kind: 'redact'; eventId: string; messageId: string; mode: RedactionMode; reason: string; by: string | null }
  | { kind: 'revise'; eventId: string; messageId: string; revision: RevisionInput }
  | { kind: 'retract'; eventId: string; messageId: string }
  | { kind: 'metadata'; eventId: string; patch: MetadataPatch }
  | { kind: 'delete'; eventId: string };

export interface ImportConversation {
  conversationId: string;
  /** Owner for the first append (null: none). */
  userId: string | null;
  items: ImportItem[];
}

export interface ImportPlan {
  conversations: number;
  messages: number;
}

export interface ImportSource {
  /** Reads (and checks) the source far enough to count what it holds. */
  plan(): Promise<ImportPlan>;
  /** The conversations, one at a time, in a stable order. */
  conversations(): AsyncIterable<ImportConversation>;
  close(): Promise<void>;
}

/** Keeps message ids unique within one conversation: a repeated own id is replaced by a derived one. */
export function uniqueIds(): (id: string, derived: () => string) => string {
  const seen = new Set<string>();
  return (id, derived) => {
    const chosen = seen.has(id) ? derived() : id;
    seen.add(chosen);
    return chosen;
  };
}
