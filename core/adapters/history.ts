/**
 * What both adapters need from the store: a conversation's current messages read from the log
 * (revisions applied, retracted and purged messages gone), and plain JSON out of framework objects.
 */
import { ConversationDeletedError, isScrollbackError, ValidationError } from '../errors/errors.js';
import { emptyState, foldEvents } from '../events/fold.js';
import type { JsonValue, Message } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';

/** Events per `read` call: the store's own maximum page. */
const PAGE = 10_000;

/**
 * Every current message of a conversation, oldest first; null when the conversation does not exist.
 * `tail` is capped at 10,000 messages, so the whole history is folded from `read` pages instead —
 * the same fold `stateAt` runs, without having to know the head first. A soft-deleted conversation
 * throws `ConversationDeletedError`, as `tail` does.
 */
export async function currentMessages(store: ConversationStore, conversationId: string): Promise<Message[] | null> {
  let state = emptyState(conversationId);
  let fromVersion = 1;
  for (;;) {
    let page;
    try {
      page = await store.read(conversationId, { fromVersion, direction: 'forward', limit: PAGE });
    } catch (error) {
      if (isScrollbackError(error) && error.code === 'CONVERSATION_NOT_FOUND' && fromVersion === 1) return null;
      throw error;
    }
    state = foldEvents(state, page.events);
    const last = page.events.at(-1);
    if (last === undefined || last.version >= page.version) break;
    fromVersion = last.version + 1;
  }
  if (state.status === 'deleted') throw new ConversationDeletedError(conversationId);
  return state.messages;
}

/**
 * `value` as plain JSON, the way it would cross the wire: `undefined` members dropped, dates as
 * strings. Framework message objects carry optional fields as `undefined`, which the store refuses.
 */
export function toJson(field: string, value: unknown): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(field, 'must be JSON-serialisable', { cause: error });
  }
  if (text === undefined) throw new ValidationError(field, 'must be JSON-serialisable');
  return JSON.parse(text) as JsonValue;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted: equal values compare equal whatever order a backend returns keys in. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}
