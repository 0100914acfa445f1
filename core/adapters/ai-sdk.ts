/**
 * `@scrollback/store/ai-sdk`: AI SDK chats (`UIMessage[]`) kept as Scrollback conversations (the
 * chat id is the conversation id, a UIMessage id the message id).
 *
 * A UIMessage's `parts` are stored as the message's parts, as given (JSON: `undefined` members are
 * dropped, as on the wire); its text is what search and previews see. Its `metadata`, whatever JSON
 * it is, is kept under the message metadata key `uiMetadata`. `saveChat` takes the whole list after
 * each turn and writes only the difference: new messages in one append, changed ones as revisions,
 * dropped ones (a regenerate) as retractions — so it fits `toUIMessageStreamResponse({ onFinish })`.
 */
import type { UIMessage } from 'ai';
import { ValidationError } from '../errors/errors.js';
import { uuidv7 } from '../events/uuid-v7.js';
import type { JsonObject, JsonValue, Message, MessageInput, MessagePart } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';
import { canonicalJson, currentMessages, isRecord, toJson } from './history.js';

/** Where a UIMessage's `metadata` lives in the stored message's metadata. */
const METADATA_KEY = 'uiMetadata';

type UIRole = UIMessage['role'];
const UI_ROLES: ReadonlySet<string> = new Set<UIRole>(['system', 'user', 'assistant']);

export interface SaveChatOptions<M extends UIMessage = UIMessage> {
  chatId: string;
  /** The chat's whole list, as `onFinish` gives it. */
  messages: readonly M[];
  /** Owner of a chat this call creates, and recorded on every event it writes. */
  userId?: string;
}

/** A stored message in the shape `loadChat` returns; null for one a UIMessage cannot hold (role 'tool'). */
function toUIMessage(message: Message): UIMessage | null {
  if (!UI_ROLES.has(message.role)) return null;
  const parts = message.parts ?? (message.content !== '' ? [{ type: 'text', text: message.content }] : []);
  const hasMetadata = Object.hasOwn(message.metadata, METADATA_KEY);
  return {
    id: message.id,
    role: message.role as UIRole,
    ...(hasMetadata ? { metadata: message.metadata[METADATA_KEY] } : {}),
    parts: parts as unknown as UIMessage['parts'],
  };
}

interface StoredForm {
  id: string;
  role: UIRole;
  parts: MessagePart[];
  metadata: JsonObject;
}

/** One UIMessage checked at the boundary and turned into JSON the store takes. */
function storedForm(message: unknown, index: number): StoredForm {
  const field = `messages[${index}]`;
  if (!isRecord(message)) throw new ValidationError(field, 'must be a UIMessage object');
  const { id, role, parts, metadata } = message;
  if (typeof id !== 'string' || id === '') throw new ValidationError(`${field}.id`, 'must be a non-empty string (give the stream a generateMessageId)');
  if (typeof role !== 'string' || !UI_ROLES.has(role)) throw new ValidationError(`${field}.role`, "must be 'system', 'user' or 'assistant'");
  if (!Array.isArray(parts)) throw new ValidationError(`${field}.parts`, 'must be an array');
  const json = toJson(`${field}.parts`, parts);
  if (!Array.isArray(json) || !json.every((part) => isRecord(part) && typeof part.type === 'string')) {
    throw new ValidationError(`${field}.parts`, "must hold objects with a string 'type'");
  }
  const stored: JsonObject = {};
  if (metadata !== undefined) stored[METADATA_KEY] = toJson(`${field}.metadata`, metadata);
  return { id, role: role as UIRole, parts: json as MessagePart[], metadata: stored };
}

/** The chat's messages, oldest first, current revisions; `[]` for a chat never saved. */
export async function loadChat<M extends UIMessage = UIMessage>(store: ConversationStore, chatId: string): Promise<M[]> {
  const messages = (await currentMessages(store, chatId)) ?? [];
  const out: UIMessage[] = [];
  for (const message of messages) {
    // A masked message has lost its parts and text: nothing a UI could show or a model be sent.
    if (message.redacted) continue;
    const ui = toUIMessage(message);
    if (ui !== null) out.push(ui);
  }
  return out as M[];
}

/**
 * Saves a chat's whole list: appends the messages not yet stored (one append, in list order),
 * revises stored ones whose parts or metadata changed, retracts stored ones the list no longer
 * holds. An unchanged list writes nothing. New messages go after the stored ones, so a list that
 * inserts before a stored message is stored in another order. Messages the store holds that
 * `loadChat` leaves out (tool-role or redacted ones) are left as they are. Resolves with nothing, so
 * `onFinish: ({ messages }) => saveChat(store, { chatId, messages })` type-checks as it is.
 */
export async function saveChat<M extends UIMessage>(store: ConversationStore, options: SaveChatOptions<M>): Promise<void> {
  if (!isRecord(options)) throw new ValidationError('options', 'must be an object');
  const { chatId, messages, userId } = options;
  if (!Array.isArray(messages)) throw new ValidationError('messages', 'must be an array of UIMessages');
  const incoming = messages.map((message, index) => storedForm(message, index));
  const ids = new Set<string>();
  for (const [index, message] of incoming.entries()) {
    if (ids.has(message.id)) throw new ValidationError(`messages[${index}].id`, 'appears twice in the list');
    ids.add(message.id);
  }

  const stored = new Map<string, Message>();
  for (const message of (await currentMessages(store, chatId)) ?? []) stored.set(message.id, message);
  const writeOptions = userId !== undefined ? { userId } : {};

  // Retractions first: a regenerate never shows the old and the new reply side by side.
  for (const message of stored.values()) {
    if (ids.has(message.id) || message.redacted || toUIMessage(message) === null) continue;
    await store.retract(chatId, message.id, writeOptions);
  }

  const fresh: MessageInput[] = [];
  for (const [index, message] of incoming.entries()) {
    const existing = stored.get(message.id);
    if (existing === undefined) {
      fresh.push({ id: message.id, role: message.role, parts: message.parts, metadata: message.metadata });
      continue;
    }
    if (existing.redacted) continue;
    const view = toUIMessage(existing);
    if (view === null || view.role !== message.role) {
      throw new ValidationError(`messages[${index}].role`, `is stored as '${existing.role}': a message's role cannot change`);
    }
    const storedMetadata: JsonObject = Object.hasOwn(existing.metadata, METADATA_KEY) ? { [METADATA_KEY]: existing.metadata[METADATA_KEY] as JsonValue } : {};
    const same = canonicalJson(view.parts as unknown as JsonValue) === canonicalJson(message.parts) && canonicalJson(storedMetadata) === canonicalJson(message.metadata);
    if (same) continue;
    // Other keys of the stored metadata (written by other code) are kept.
    const { [METADATA_KEY]: _previous, ...others } = existing.metadata;
    await store.revise(chatId, message.id, { parts: message.parts, metadata: { ...others, ...message.metadata } }, writeOptions);
  }

  if (fresh.length > 0) {
    await store.append(chatId, fresh, writeOptions);
  }
}

/**
 * A new chat id (a UUIDv7). The conversation itself starts with the first `saveChat`, which sets
 * its owner from that call's `userId`: a Scrollback conversation begins with its first message.
 */
export async function createChat(_store: ConversationStore, options: { userId?: string } = {}): Promise<string> {
  if (options.userId !== undefined && (typeof options.userId !== 'string' || options.userId === '')) {
    throw new ValidationError('userId', 'must be a non-empty string');
  }
  return uuidv7();
}
