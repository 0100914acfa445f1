/**
 * A JSON dump of an in-memory history store: `{ "<sessionId>": [message, …] }`, each message either
 * `{ role, content, id?, metadata? }` (roles user/assistant/system/tool, or human/ai) or LangChain's
 * stored shape `{ type, data: { content, … } }`. A message whose own id is not a UUID gets one
 * derived from its session and index; the original is kept as `metadata.sourceId`.
 */
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../../errors/errors.js';
import { ROLES, type JsonObject, type MessageInput, type Role } from '../../events/types.js';
import { importedMessageId, isUuid } from './deterministic-id.js';
import { fromLangChain, isRecord, isStoredMessage } from './langchain-message.js';
import { uniqueIds, type ImportConversation, type ImportItem, type ImportPlan, type ImportSource } from './source.js';

const FORMAT = 'sessions-json';
const ALIASES: Record<string, Role> = { human: 'user', ai: 'assistant' };

function roleOf(value: unknown, field: string): Role {
  if (typeof value === 'string') {
    if ((ROLES as readonly string[]).includes(value)) return value as Role;
    const alias = ALIASES[value];
    if (alias !== undefined) return alias;
  }
  throw new ValidationError(field, `must be one of ${ROLES.join(', ')} (or human, ai)`);
}

function plainMessage(raw: Record<string, unknown>, field: string): Omit<MessageInput, 'id'> & { ownId: unknown } {
  if (typeof raw.content !== 'string') throw new ValidationError(`${field}.content`, 'must be a string');
  if (raw.metadata !== undefined && !isRecord(raw.metadata)) throw new ValidationError(`${field}.metadata`, 'must be an object');
  const metadata = { ...((raw.metadata ?? {}) as JsonObject) };
  if (raw.id !== undefined && !isUuid(raw.id)) {
    if (typeof raw.id !== 'string') throw new ValidationError(`${field}.id`, 'must be a string');
    metadata.sourceId = raw.id;
  }
  return { role: roleOf(raw.role, `${field}.role`), content: raw.content, metadata, ownId: raw.id };
}

export function parseSessionsJson(text: string): Map<string, ImportItem[]> {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the text: never print it.
    throw new ValidationError('source', 'is not JSON');
  }
  if (!isRecord(value)) throw new ValidationError('source', 'must be an object of { "<sessionId>": [messages] }');
  const sessions = new Map<string, ImportItem[]>();
  for (const [sessionId, list] of Object.entries(value)) {
    const label = `session "${sessionId.slice(0, 80)}"`;
    if (!Array.isArray(list)) throw new ValidationError(label, 'must be an array of messages');
    const unique = uniqueIds();
    const items = list.map((raw: unknown, index): ImportItem => {
      const field = `${label} message ${index + 1}`;
      if (!isRecord(raw)) throw new ValidationError(field, 'must be an object');
      const { ownId, ...message } = isStoredMessage(raw) ? fromLangChain(raw, field) : plainMessage(raw, field);
      const derived = (): string => importedMessageId(FORMAT, sessionId, String(index), undefined);
      return { kind: 'message', message: { ...message, id: unique(importedMessageId(FORMAT, sessionId, String(index), ownId), derived) } };
    });
    sessions.set(sessionId, items);
  }
  return sessions;
}

export function createSessionsJsonSource(path: string): ImportSource {
  let sessions: Map<string, ImportItem[]> | undefined;
  const load = async (): Promise<Map<string, ImportItem[]>> => {
    sessions ??= parseSessionsJson(await readFile(path, 'utf8'));
    return sessions;
  };
  return {
    async plan(): Promise<ImportPlan> {
      const loaded = await load();
      let messages = 0;
      for (const items of loaded.values()) messages += items.length;
      return { conversations: loaded.size, messages };
    },
    async *conversations(): AsyncIterable<ImportConversation> {
      for (const [conversationId, items] of await load()) yield { conversationId, userId: null, items };
    },
    async close() {},
  };
}
