/**
 * Export a conversation as JSONL (one StoredEvent per line, version order) and import such a file
 * into another environment by replaying it through the public API: appends keep the message ids
 * (so a retried import is idempotent), renames, redactions and soft deletes follow in order.
 */
import { ValidationError } from '../../errors/errors.js';
import { EVENT_TYPES, type EventType, type MessageInput, type StoredEvent } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import type { Handlers } from '../context.js';
import { shouldMask } from '../context.js';
import { maskEvent, maskObject, maskText } from '../masking.js';

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
  return events;
}

export async function importEvents(
  store: ConversationStore,
  events: StoredEvent[],
  options: { conversationId: string; maskContent: boolean },
): Promise<{ version: number; events: number }> {
  const { conversationId, maskContent } = options;
  const started = events.find((e) => e.type === 'conversation.started');
  const owner = started?.type === 'conversation.started' ? started.data.userId : null;
  let pending: MessageInput[] = [];
  let version = 0;
  let replayed = 0;

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const result = await store.append(conversationId, pending, {
      ...(owner !== null ? { userId: owner } : {}),
      metadata: { causationId: 'console-import' },
    });
    // A chunk queued by a fallback outbox has no version yet: report the last logged head.
    if (result.outcome !== 'queued') version = result.version;
    replayed += pending.length;
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
        });
        break;
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
    const conversationId = input.conversationId ?? first?.conversationId ?? '';
    if ((await store.getConversation(conversationId)) !== null) {
      throw new ValidationError('conversationId', `“${conversationId}” already exists in this environment: import it under another id`);
    }
    const maskContent = input.maskContent ?? true;
    const result = await importEvents(store, events, { conversationId, maskContent });
    return { conversationId, version: result.version, events: result.events, masked: maskContent };
  },
};
