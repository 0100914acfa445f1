/**
 * JSONL written by `scrollback export` (or the console's per-conversation export): one stored event
 * per line, each conversation's events together and in version order. The file is read twice,
 * streaming: the first pass checks every line and counts, so a bad line fails the import before
 * anything is written; the second yields one conversation at a time.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ValidationError } from '../../errors/errors.js';
import { metadataPatchOf } from '../../events/metadata-patch.js';
import { ROLES, type JsonObject, type MessagePart, type Role, type StoredEvent } from '../../events/types.js';
import { isRecord } from './langchain-message.js';
import type { ImportConversation, ImportItem, ImportPlan, ImportSource } from './source.js';

interface ParsedLine {
  conversationId: string;
  version: number;
  type: StoredEvent['type'];
  item: ImportItem | { kind: 'started'; userId: string | null };
}

function fail(line: number, message: string): never {
  throw new ValidationError('jsonl', `line ${line} ${message}`);
}

function str(value: unknown): value is string {
  return typeof value === 'string';
}

/** Parts as the store takes them: objects, each with a string type (the store checks the rest). */
function parts(value: unknown, line: number): MessagePart[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((part) => isRecord(part) && str(part.type))) fail(line, 'has parts that are not objects with a type');
  return value as MessagePart[];
}

/** Checks one line; the message never quotes the line's text. */
export function parseEventLine(text: string, line: number): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    fail(line, 'is not JSON');
  }
  if (!isRecord(value) || !str(value.conversationId) || !str(value.eventId) || !str(value.type) || !isRecord(value.data)) {
    fail(line, 'is not a Scrollback event (conversationId, eventId, type, data)');
  }
  if (typeof value.version !== 'number' || !Number.isSafeInteger(value.version) || value.version < 1) fail(line, 'has no valid version');
  const { conversationId, eventId, version, data } = value;
  const base = { conversationId, version };
  switch (value.type) {
    case 'conversation.started':
      if (data.userId !== null && !str(data.userId)) fail(line, 'has a userId that is not a string');
      return { ...base, type: 'conversation.started', item: { kind: 'started', userId: data.userId } };
    case 'message.appended': {
      if (!(ROLES as readonly unknown[]).includes(data.role)) fail(line, 'has an unknown role');
      if (!str(data.content)) fail(line, 'has content that is not a string');
      if (data.metadata !== undefined && !isRecord(data.metadata)) fail(line, 'has metadata that is not an object');
      const messageParts = parts(data.parts, line);
      const message = {
        id: eventId,
        role: data.role as Role,
        content: data.content,
        ...(messageParts !== undefined ? { parts: messageParts } : {}),
        metadata: (data.metadata ?? {}) as JsonObject,
      };
      return { ...base, type: 'message.appended', item: { kind: 'message', message } };
    }
    case 'message.revised': {
      if (!str(data.messageId) || !str(data.content)) fail(line, 'is not a valid message.revised event');
      if (data.metadata !== undefined && !isRecord(data.metadata)) fail(line, 'has metadata that is not an object');
      const revisedParts = parts(data.parts, line);
      const revision = {
        content: data.content,
        ...(revisedParts !== undefined ? { parts: revisedParts } : {}),
        ...(data.metadata !== undefined ? { metadata: data.metadata as JsonObject } : {}),
      };
      return { ...base, type: 'message.revised', item: { kind: 'revise', eventId, messageId: data.messageId, revision } };
    }
    case 'message.retracted':
      if (!str(data.messageId)) fail(line, 'is not a valid message.retracted event');
      return { ...base, type: 'message.retracted', item: { kind: 'retract', eventId, messageId: data.messageId } };
    case 'conversation.metadata-set': {
      if (!isRecord(data.set) || !Array.isArray(data.unset) || !data.unset.every(str)) fail(line, 'is not a valid conversation.metadata-set event');
      const patch = metadataPatchOf(data.set as JsonObject, data.unset as string[]);
      return { ...base, type: 'conversation.metadata-set', item: { kind: 'metadata', eventId, patch } };
    }
    case 'message.redacted':
      if (!str(data.messageId) || (data.mode !== 'mask' && data.mode !== 'purge') || !str(data.reason) || (data.by !== null && data.by !== undefined && !str(data.by))) {
        fail(line, 'is not a valid message.redacted event');
      }
      return {
        ...base,
        type: 'message.redacted',
        item: { kind: 'redact', eventId, messageId: data.messageId, mode: data.mode, reason: data.reason, by: str(data.by) ? data.by : null },
      };
    case 'conversation.renamed':
      if (!str(data.title)) fail(line, 'has a title that is not a string');
      return { ...base, type: 'conversation.renamed', item: { kind: 'rename', eventId, title: data.title } };
    case 'conversation.deleted':
      return { ...base, type: 'conversation.deleted', item: { kind: 'delete', eventId } };
    default:
      fail(line, `has an event type this import does not support (${value.type.slice(0, 40)})`);
  }
}

async function* lines(path: string): AsyncIterable<{ text: string; line: number }> {
  const reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of reader) {
    line++;
    if (text.trim() !== '') yield { text, line };
  }
}

/** Groups consecutive lines by conversation; checks order; `onLine` sees every parsed line. */
async function* groups(path: string): AsyncIterable<ImportConversation> {
  const done = new Set<string>();
  let current: (ImportConversation & { version: number }) | undefined;
  for await (const { text, line } of lines(path)) {
    const parsed = parseEventLine(text, line);
    if (current === undefined || current.conversationId !== parsed.conversationId) {
      if (current !== undefined) yield current;
      if (done.has(parsed.conversationId)) fail(line, 'continues a conversation that ended earlier in the file: keep each conversation together');
      done.add(parsed.conversationId);
      current = { conversationId: parsed.conversationId, userId: null, items: [], version: 0 };
    }
    if (parsed.version <= current.version) fail(line, 'is out of version order');
    current.version = parsed.version;
    if (parsed.item.kind === 'started') current.userId = parsed.item.userId;
    else current.items.push(parsed.item);
  }
  if (current !== undefined) yield current;
}

export function createJsonlSource(path: string): ImportSource {
  return {
    async plan(): Promise<ImportPlan> {
      let conversations = 0;
      let messages = 0;
      for await (const conversation of groups(path)) {
        conversations++;
        for (const item of conversation.items) if (item.kind === 'message') messages++;
      }
      return { conversations, messages };
    },
    conversations: () => groups(path),
    async close() {},
  };
}
