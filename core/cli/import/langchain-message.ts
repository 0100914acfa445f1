/**
 * LangChain's stored message (`{ type, data: { content, … } }`, what `BaseMessage.toDict()` writes)
 * as a Scrollback message. The type picks the role; string content is kept as is, content blocks
 * become their text joined by newlines. Everything else LangChain kept (its id, name, tool calls,
 * tool_call_id, additional_kwargs, response_metadata, usage, and block content) goes to
 * `metadata.langchain`, so nothing is lost.
 */
import { ValidationError } from '../../errors/errors.js';
import type { JsonObject, JsonValue, MessageInput, Role } from '../../events/types.js';

const ROLE_BY_TYPE: Record<string, Role> = {
  human: 'user',
  ai: 'assistant',
  system: 'system',
  tool: 'tool',
  function: 'tool',
};

/** ChatMessage (`generic`) carries a free-form role. */
const ROLE_BY_NAME: Record<string, Role> = {
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  ai: 'assistant',
  system: 'system',
  developer: 'system',
  tool: 'tool',
  function: 'tool',
};

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

function textOf(content: unknown, field: string): { text: string; blocks: JsonValue | null } {
  if (typeof content === 'string') return { text: content, blocks: null };
  if (!Array.isArray(content)) throw new ValidationError(field, 'must be a string or an array of content blocks');
  const texts: string[] = [];
  for (const block of content) {
    if (typeof block === 'string') texts.push(block);
    else if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
  }
  return { text: texts.join('\n'), blocks: content as JsonValue };
}

/** True for `{ type: string, data: object }`: the shape LangChain stores. */
export function isStoredMessage(value: unknown): value is { type: string; data: Record<string, unknown> } {
  return isRecord(value) && typeof value.type === 'string' && isRecord(value.data);
}

/** Maps one stored message; `field` names it in errors (never its content). */
export function fromLangChain(stored: unknown, field: string): Omit<MessageInput, 'id'> & { ownId: unknown } {
  if (!isStoredMessage(stored)) throw new ValidationError(field, 'is not a LangChain stored message ({ type, data })');
  const { type, data } = stored;
  let role = ROLE_BY_TYPE[type];
  if (type === 'generic' || type === 'chat') role = typeof data.role === 'string' ? (ROLE_BY_NAME[data.role.toLowerCase()] ?? 'user') : 'user';
  if (role === undefined) throw new ValidationError(`${field}.type`, `"${type.slice(0, 40)}" is not a LangChain message type`);
  const { text, blocks } = textOf(data.content, `${field}.data.content`);
  const langchain: JsonObject = { type };
  for (const [key, value] of Object.entries(data)) {
    if (key === 'content' || isEmpty(value)) continue;
    langchain[key] = value as JsonValue;
  }
  if (blocks !== null) langchain.content = blocks;
  return { role, content: text, metadata: { langchain }, ownId: data.id };
}
