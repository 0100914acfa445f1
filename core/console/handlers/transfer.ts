/**
 * Export a conversation as JSONL (one StoredEvent per line, version order) and import such a file
 * into another environment by replaying it through the public API: appends keep the message ids,
 * renames, redactions and soft deletes follow in order.
 *
 * An import is all or nothing per conversation: every line is checked with the store's own rules
 * before anything is written (so a bad line 3 cannot leave lines 1–2 behind), appends go in
 * chunks the store accepts, and a write that still fails removes the half-imported conversation
 * so the same file can simply be imported again. Masking runs only on validated input.
 */
import { isScrollbackError, ValidationError } from '../../errors/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../events/limits.js';
import { metadataPatchOf } from '../../events/metadata-patch.js';
import { EVENT_TYPES, type EventType, type MessageInput, type StoredEvent } from '../../events/types.js';
import { validateContent, validateId, validateMetadata, validateRole, validateText } from '../../events/validate.js';
import type { ConversationStore } from '../../store/types.js';
import { ConsoleError } from '../console-error.js';
import type { Handlers } from '../context.js';
import { shouldMask } from '../context.js';
import { maskEvent, maskObject, maskParts, maskText } from '../masking.js';

/** As the store limits redaction reasons. */
const MAX_REASON = 1000;

const PAGE = 5000;

export async function readAllEvents(store: ConversationStore, conversationId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let from = 1;
  for (;;) {
    const page = await store.read(conversationId, { fromVersion: from, limit: PAGE });
    events.push(...page.events);
    const last = page.events.at(-1);
    if (last === undefined || last.version >= page.version || page.events.length < PAGE) return events;
    from = last.version + 1;
  }
}

export function toJsonl(events: StoredEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length > 0 ? '\n' : '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks an export: one conversation, known event types, versions increasing. */
export function parseJsonl(jsonl: string): StoredEvent[] {
  const events: StoredEvent[] = [];
  const lines = jsonl.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ValidationError('jsonl', `line ${index + 1} is not JSON`);
    }
    if (
      !isRecord(value) ||
      typeof value.conversationId !== 'string' ||
      typeof value.version !== 'number' ||
      typeof value.eventId !== 'string' ||
      !EVENT_TYPES.includes(value.type as EventType) ||
      !isRecord(value.data)
    ) {
      throw new ValidationError('jsonl', `line ${index + 1} is not a Scrollback event`);
    }
    const event = value as unknown as StoredEvent;
    const previous = events.at(-1);
    if (previous !== undefined && previous.conversationId !== event.conversationId) {
      throw new ValidationError('jsonl', `line ${index + 1} belongs to another conversation: import one conversation at a time`);
    }
    if (previous !== undefined && event.version <= previous.version) throw new ValidationError('jsonl', `line ${index + 1} is out of version order`);
    events.push(event);
  }
  if (events.length === 0) throw new ValidationError('jsonl', 'holds no events');
  if (!events.some((e) => e.type === 'message.appended')) throw new ValidationError('jsonl', 'holds no messages: nothing to import');
  validateEvents(events, lineNumbers(lines));
  return events;
}

/** The 1-based line of each non-empty line, in order (errors name the line). */
function lineNumbers(lines: string[]): number[] {
  const numbers: number[] = [];
  lines.forEach((line, index) => {
    if (line.trim() !== '') numbers.push(index + 1);
  });
  return numbers;
}

/**
 * Every event checked as the store will check it when it is replayed, before anything is
 * written: roles, content, metadata (size, depth, plain JSON), ids, titles and reasons, a
 * redaction only of a message that came before, nothing after a delete.
 */
export function validateEvents(events: StoredEvent[], lines: number[] = [], limits: Limits = DEFAULT_LIMITS): void {
  const messageIds = new Set<string>();
  let deleted = false;
  events.forEach((event, index) => {
    const line = lines[index] ?? index + 1;
    try {
      if (deleted) throw new ValidationError('type', 'follows conversation.deleted');
      const data = event.data as unknown as Record<string, unknown>;
      switch (event.type) {
        case 'conversation.started':
          if (data.userId !== null) validateId('userId', data.userId, limits);
          break;
        case 'message.appended': {
          const id = validateId('eventId', event.eventId, limits);
          if (messageIds.has(id)) throw new ValidationError('eventId', 'appears twice');
          messageIds.add(id);
          validateRole('role', data.role);
          validateContent('content', data.content, limits);
          validateMetadata('metadata', data.metadata, limits);
          break;
        }
        case 'message.redacted':
          if (!messageIds.has(validateId('messageId', data.messageId, limits))) throw new ValidationError('messageId', 'names no earlier message');
          if (data.mode !== 'mask' && data.mode !== 'purge') throw new ValidationError('mode', 'must be mask or purge');
          validateText('reason', data.reason, MAX_REASON);
          if (data.by !== null && data.by !== undefined) validateId('by', data.by, limits);
          break;
        case 'conversation.renamed':
          validateText('title', data.title, limits.maxTitleLength);
          break;
        case 'message.revised':
          if (!messageIds.has(validateId('messageId', data.messageId, limits))) throw new ValidationError('messageId', 'names no earlier message');
          validateContent('content', data.content, limits);
          if (data.metadata !== undefined) validateMetadata('metadata', data.metadata, limits);
          break;
        case 'message.retracted':
          if (!messageIds.has(validateId('messageId', data.messageId, limits))) throw new ValidationError('messageId', 'names no earlier message');
          break;
        case 'conversation.metadata-set':
          validateMetadata('set', data.set, limits);
          if (!Array.isArray(data.unset) || !data.unset.every((key) => typeof key === 'string')) throw new ValidationError('unset', 'must be a list of keys');
          break;
        case 'conversation.deleted':
          deleted = true;
          break;
      }
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError('jsonl', `line ${line}: ${error.message}`, { cause: error });
      throw error;
    }
  });
}

/**
 * Replays validated events (see `parseJsonl`) into `store` under a conversation id that does not
 * exist there yet. On a failed write the conversation is removed again, so a retry starts clean.
 */
export async function importEvents(
  store: ConversationStore,
  events: StoredEvent[],
  options: { conversationId: string; maskContent: boolean; maxBatch?: number },
): Promise<{ version: number; events: number }> {
  try {
    return await replay(store, events, options);
  } catch (error) {
    await removeHalfImport(store, options.conversationId, error);
    throw error;
  }
}

async function removeHalfImport(store: ConversationStore, conversationId: string, failure: unknown): Promise<void> {
  try {
    if ((await store.getConversation(conversationId)) !== null) await store.deleteConversation(conversationId, { hard: true });
  } catch (cleanup) {
    const why = isScrollbackError(failure) || failure instanceof Error ? failure.message : 'the write failed';
    throw new ConsoleError(
      'CONNECTION_FAILED',
      `The import failed (${why}) and the part already written could not be removed: delete “${conversationId}” before importing again.`,
      { cause: cleanup },
    );
  }
}

async function replay(
  store: ConversationStore,
  events: StoredEvent[],
  options: { conversationId: string; maskContent: boolean; maxBatch?: number },
): Promise<{ version: number; events: number }> {
  const { conversationId, maskContent } = options;
  const maxBatch = options.maxBatch ?? DEFAULT_LIMITS.maxBatch;
  const started = events.find((e) => e.type === 'conversation.started');
  const owner = started?.type === 'conversation.started' ? started.data.userId : null;
  let pending: MessageInput[] = [];
  let version = 0;
  let replayed = 0;

  const flush = async (): Promise<void> => {
    // The store takes at most maxBatch messages per append.
    for (let start = 0; start < pending.length; start += maxBatch) {
      const chunk = pending.slice(start, start + maxBatch);
      const result = await store.append(conversationId, chunk, {
        ...(owner !== null ? { userId: owner } : {}),
        metadata: { causationId: 'console-import' },
      });
      // A chunk queued by a fallback outbox has no version yet: report the last logged head.
      if (result.outcome !== 'queued') version = result.version;
      replayed += chunk.length;
    }
    pending = [];
  };

  for (const event of events) {
    switch (event.type) {
      case 'conversation.started':
        break;
      case 'message.appended':
        pending.push({
          id: event.eventId,
          role: event.data.role,
          content: maskContent ? maskText(event.data.content) : event.data.content,
          metadata: maskContent ? maskObject(event.data.metadata) : event.data.metadata,
          ...(event.data.parts !== undefined ? { parts: maskContent ? maskParts(event.data.parts) : event.data.parts } : {}),
        });
        break;
      case 'message.revised': {
        await flush();
        const { content, parts, metadata } = event.data;
        version = (
          await store.revise(conversationId, event.data.messageId, {
            content: maskContent ? maskText(content) : content,
            ...(parts !== undefined ? { parts: maskContent ? maskParts(parts) : parts } : {}),
            ...(metadata !== undefined ? { metadata: maskContent ? maskObject(metadata) : metadata } : {}),
          })
        ).version;
        replayed++;
        break;
      }
      case 'message.retracted':
        await flush();
        version = (await store.retract(conversationId, event.data.messageId)).version;
        replayed++;
        break;
      case 'conversation.metadata-set': {
        await flush();
        const set = maskContent ? maskObject(event.data.set) : event.data.set;
        version = (await store.setMetadata(conversationId, metadataPatchOf(set, event.data.unset))).version;
        replayed++;
        break;
      }
      case 'message.redacted':
        await flush();
        version = (await store.redact(conversationId, event.data.messageId, { mode: event.data.mode, reason: event.data.reason, by: event.data.by ?? 'import' })).version;
        replayed++;
        break;
      case 'conversation.renamed':
        await flush();
        version = (await store.rename(conversationId, event.data.title)).version;
        replayed++;
        break;
      case 'conversation.deleted':
        await flush();
        await store.deleteConversation(conversationId, { hard: false });
        version = (await store.getConversation(conversationId))?.version ?? version;
        replayed++;
        break;
    }
  }
  await flush();
  return { version, events: replayed };
}

function fileNameFor(conversationId: string): string {
  const safe = conversationId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
  return `${safe || 'conversation'}.jsonl`;
}

export const transferHandlers: Pick<Handlers, 'conversation.export' | 'conversation.import'> = {
  'conversation.export': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const store = await ctx.stores.get(input.environmentId);
    const events = await readAllEvents(store, input.conversationId);
    const masked = shouldMask(env, input.reveal);
    const jsonl = toJsonl(masked ? events.map(maskEvent) : events);
    return { jsonl, events: events.length, fileName: fileNameFor(input.conversationId), masked };
  },
  'conversation.import': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    const events = parseJsonl(input.jsonl);
    const first = events[0];
    const conversationId = validateId('conversationId', input.conversationId ?? first?.conversationId ?? '', DEFAULT_LIMITS);
    if ((await store.getConversation(conversationId)) !== null) {
      throw new ValidationError('conversationId', `“${conversationId}” already exists in this environment: import it under another id`);
    }
    const maskContent = input.maskContent ?? true;
    const result = await importEvents(store, events, { conversationId, maskContent });
    return { conversationId, version: result.version, events: result.events, masked: maskContent };
  },
};
