/**
 * `@scrollback/store/langchain`: a LangChain chat message history kept in a Scrollback
 * conversation (the session id is the conversation id).
 *
 * Mapping: human → user, ai → assistant, system → system, tool and function → tool (a generic
 * ChatMessage keeps its own role in metadata). The text is the message's content; an array of
 * content blocks is stored as the message's parts, and an AIMessage's tool calls as
 * `{ type: 'tool_call', id, name, args }` parts after them. Everything else LangChain keeps
 * (`tool_call_id`, `name`, `additional_kwargs`, `response_metadata`, `usage_metadata`,
 * `invalid_tool_calls`…) goes to `metadata.langchain`, the shape `scrollback import` writes, so
 * imported histories read back the same way. A LangChain message id is kept as the message id.
 */
import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { mapStoredMessagesToChatMessages, type BaseMessage, type StoredMessage } from '@langchain/core/messages';
import { isScrollbackError, ValidationError } from '../errors/errors.js';
import type { JsonObject, JsonValue, Message, MessageInput, MessagePart, Role, TailMessage } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';
import { currentMessages, isRecord, toJson } from './history.js';

export interface ScrollbackChatMessageHistoryOptions {
  store: ConversationStore;
  /** The conversation id. */
  sessionId: string;
  /** Owner of the conversation its first append creates, and recorded on every append. */
  userId?: string;
  /**
   * Return only the last `window` messages: served by the cache tiers (`store.tail`) up to the
   * cache's `maxMessages`. Without it `getMessages` reads the whole history from the log.
   */
  window?: number;
}

const ROLE_BY_TYPE: Record<string, Role> = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool', function: 'tool', developer: 'system' };
const GENERIC_ROLES: Record<string, Role> = { user: 'user', human: 'user', assistant: 'assistant', ai: 'assistant', system: 'system', tool: 'tool' };
const TYPE_BY_ROLE: Record<Role, string> = { user: 'human', assistant: 'ai', system: 'system', tool: 'tool' };

/** Fields that have a place of their own in the Scrollback message. */
const OWN_FIELDS = new Set(['content', 'tool_calls', 'id']);

function isEmpty(value: JsonValue | undefined): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

function isPart(value: JsonValue): value is MessagePart {
  return isRecord(value) && typeof value.type === 'string' && value.type !== '';
}

/** The text of content blocks, joined by newlines (as `scrollback import` joins them). */
function textOfBlocks(blocks: JsonValue[]): string {
  const texts: string[] = [];
  for (const block of blocks) {
    if (typeof block === 'string') texts.push(block);
    else if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
  }
  return texts.join('\n');
}

/** One LangChain message as a Scrollback message. */
export function toMessageInput(message: BaseMessage): MessageInput {
  const stored = toJson('message', message.toDict());
  if (!isRecord(stored) || typeof stored.type !== 'string' || !isRecord(stored.data)) throw new ValidationError('message', 'is not a LangChain message');
  const { type, data } = stored as { type: string; data: JsonObject };
  let role = ROLE_BY_TYPE[type];
  if (type === 'generic') role = typeof data.role === 'string' ? (GENERIC_ROLES[data.role.toLowerCase()] ?? 'user') : 'user';
  if (role === undefined) throw new ValidationError('message', `LangChain message type "${type.slice(0, 40)}" has no role`);

  const langchain: JsonObject = { type };
  for (const [key, value] of Object.entries(data)) if (!OWN_FIELDS.has(key) && !isEmpty(value)) langchain[key] = value;

  const content = data.content ?? '';
  const toolCalls = Array.isArray(data.tool_calls) ? data.tool_calls : [];
  const parts: MessagePart[] = [];
  let text: string;
  if (typeof content === 'string') {
    text = content;
    // With tool calls the parts hold the text too, so they read as the whole reply.
    if (toolCalls.length > 0) {
      if (content !== '') parts.push({ type: 'text', text: content });
      langchain.blocks = parts.length;
      langchain.textContent = true;
    }
  } else if (Array.isArray(content) && content.every(isPart)) {
    text = textOfBlocks(content);
    parts.push(...content);
    // How many leading parts are the content blocks (the tool calls follow).
    langchain.blocks = content.length;
  } else {
    // Blocks the parts cannot hold as given (bare strings): kept whole, as the importer keeps them.
    text = Array.isArray(content) ? textOfBlocks(content) : '';
    langchain.content = content;
  }
  for (const call of toolCalls) {
    if (!isRecord(call)) throw new ValidationError('message.tool_calls', 'must hold objects');
    parts.push({ ...call, type: 'tool_call' });
  }

  return {
    role,
    content: text,
    ...(parts.length > 0 ? { parts } : {}),
    ...(typeof message.id === 'string' && message.id !== '' ? { id: message.id } : {}),
    metadata: { langchain },
  };
}

/** One stored message as a LangChain message; `id` is the Scrollback message id. */
export function toLangChainMessage(message: Message | TailMessage): BaseMessage {
  const meta = message.metadata.langchain;
  const langchain: JsonObject = isRecord(meta) ? (meta as JsonObject) : {};
  const type = typeof langchain.type === 'string' ? langchain.type : TYPE_BY_ROLE[message.role];
  const { type: _type, blocks: blockCount, textContent, content: keptContent, tool_calls: keptCalls, ...fields } = langchain;
  const parts = message.redacted ? [] : (message.parts ?? []);
  const leading = typeof blockCount === 'number' ? blockCount : 0;

  let content: JsonValue = message.content;
  if (Array.isArray(keptContent) && !message.redacted) content = keptContent;
  else if (typeof blockCount === 'number' && textContent !== true && !message.redacted) content = parts.slice(0, leading);

  const calls = parts.slice(leading).filter((part) => part.type === 'tool_call');
  const data: JsonObject = { ...fields, content, id: message.id };
  if (type === 'ai') {
    if (calls.length > 0) data.tool_calls = calls;
    else if (Array.isArray(keptCalls)) data.tool_calls = keptCalls;
  }
  // LangChain refuses these types without their key field; messages written by other code lack it.
  if (type === 'tool' && typeof data.tool_call_id !== 'string') data.tool_call_id = '';
  if (type === 'function' && typeof data.name !== 'string') data.name = '';
  if (type === 'generic' && typeof data.role !== 'string') data.role = message.role;
  const [converted] = mapStoredMessagesToChatMessages([{ type, data } as unknown as StoredMessage]);
  if (converted === undefined) throw new ValidationError('message', 'could not be converted');
  return converted;
}

function checkedOptions(options: ScrollbackChatMessageHistoryOptions): ScrollbackChatMessageHistoryOptions {
  if (!isRecord(options)) throw new ValidationError('options', 'must be an object');
  if (typeof options.sessionId !== 'string') throw new ValidationError('sessionId', 'must be a string');
  if (!isRecord(options.store) || typeof options.store.append !== 'function') throw new ValidationError('store', 'must be a ConversationStore');
  if (options.userId !== undefined && typeof options.userId !== 'string') throw new ValidationError('userId', 'must be a string');
  if (options.window !== undefined && (!Number.isSafeInteger(options.window) || options.window < 1)) {
    throw new ValidationError('window', 'must be a positive integer');
  }
  return options;
}

/**
 * A LangChain `BaseListChatMessageHistory` over one Scrollback conversation: `addMessages` is one
 * append (one transaction), `clear` a hard delete, so the session id can be used again.
 */
export class ScrollbackChatMessageHistory extends BaseListChatMessageHistory {
  lc_namespace = ['langchain', 'stores', 'message', 'scrollback'];

  readonly sessionId: string;
  readonly #store: ConversationStore;
  readonly #userId: string | undefined;
  readonly #window: number | undefined;

  constructor(options: ScrollbackChatMessageHistoryOptions) {
    // The store is not serialisable: LangChain's own kwargs get only the session id.
    super({ sessionId: checkedOptions(options).sessionId });
    this.sessionId = options.sessionId;
    this.#store = options.store;
    this.#userId = options.userId;
    this.#window = options.window;
  }

  /** The session's messages, oldest first (the last `window` of them when one is set); [] for a new session. */
  override async getMessages(): Promise<BaseMessage[]> {
    const messages = this.#window !== undefined ? await this.#store.tail(this.sessionId, this.#window) : ((await currentMessages(this.#store, this.sessionId)) ?? []);
    return messages.map(toLangChainMessage);
  }

  override async addMessage(message: BaseMessage): Promise<void> {
    await this.addMessages([message]);
  }

  /** One append: the batch is written in one transaction, or not at all. */
  override async addMessages(messages: BaseMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#store.append(this.sessionId, messages.map(toMessageInput), this.#userId !== undefined ? { userId: this.#userId } : undefined);
  }

  /** Hard-deletes the conversation; a session that was never written is left as it is. */
  override async clear(): Promise<void> {
    try {
      await this.#store.deleteConversation(this.sessionId, { hard: true, ...(this.#userId !== undefined ? { userId: this.#userId } : {}) });
    } catch (error) {
      if (isScrollbackError(error) && error.code === 'CONVERSATION_NOT_FOUND') return;
      throw error;
    }
  }
}
