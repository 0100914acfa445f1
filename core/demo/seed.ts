/**
 * Seeds a store with realistic demo conversations, deterministically (a seeded PRNG, ids derived
 * from it): several users, system prompts, tool calls, model/token/latency metadata, short and
 * long chats, some renamed, some redacted, a couple deleted. Re-running on the same store is
 * idempotent for appends (same message ids) and skips conversations that already exist.
 *
 * Times are the store's own: every event gets its commit time (PostgreSQL's `now()`, the SQLite
 * append's clock) and no supported write path takes an earlier one (an import re-appends at the
 * current time too). So seeded conversations all fall within the seeding run, seconds apart, not
 * weeks: time filters and "last activity" over demo data show that, and only that.
 */
import type { JsonObject, MessageInput } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';
import { DEMO_MODELS, DEMO_TOPICS, DEMO_USERS, LONG_FOLLOW_UPS, type DemoTopic } from './topics.js';

/** mulberry32: tiny, fast, good enough for demo data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A v4-shaped UUID from the PRNG, so the same seed gives the same ids. */
export function seededUuid(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export interface SeedOptions {
  conversations?: number;
  seed?: number;
  /** Called after each conversation (progress for the CLI). */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  conversations: number;
  messages: number;
  renamed: number;
  redacted: number;
  deleted: number;
  skipped: number;
}

function assistantMetadata(random: () => number, model: string, content: string, historyChars: number): JsonObject {
  return {
    model,
    tokens: { prompt: Math.ceil(historyChars / 4) + 12, completion: Math.ceil(content.length / 4) },
    latencyMs: Math.round(250 + random() * 2400),
    finishReason: 'stop',
  };
}

/** One conversation's turns: each turn is appended as one batch, as a chat backend would. */
export function conversationTurns(random: () => number, topic: DemoTopic, long: boolean): MessageInput[][] {
  const model = pick(random, DEMO_MODELS);
  const turns: MessageInput[][] = [];
  let chars = 0;
  const id = (): string => seededUuid(random);

  const first: MessageInput[] = [];
  if (topic.system !== undefined) first.push({ id: id(), role: 'system', content: topic.system });
  first.push({ id: id(), role: 'user', content: topic.opener });
  chars += topic.opener.length + (topic.system?.length ?? 0);
  if (topic.tool) {
    const callId = `call_${id().replace(/-/g, '').slice(0, 24)}`;
    first.push({
      id: id(),
      role: 'assistant',
      content: '',
      metadata: {
        model,
        toolCalls: [{ id: callId, name: topic.tool.name, arguments: JSON.stringify(topic.tool.arguments) }],
        tokens: { prompt: Math.ceil(chars / 4) + 40, completion: 18 },
        latencyMs: Math.round(180 + random() * 600),
        finishReason: 'tool_calls',
      },
    });
    first.push({ id: id(), role: 'tool', content: topic.tool.result, metadata: { toolCallId: callId, name: topic.tool.name, latencyMs: Math.round(20 + random() * 300) } });
  }
  first.push({ id: id(), role: 'assistant', content: topic.answer, metadata: assistantMetadata(random, model, topic.answer, chars) });
  chars += topic.answer.length;
  turns.push(first);

  const followUps = long
    ? [...topic.followUps, ...Array.from({ length: 20 + Math.floor(random() * 40) }, () => pick(random, LONG_FOLLOW_UPS))]
    : topic.followUps.slice(0, Math.floor(random() * (topic.followUps.length + 1)));
  for (const followUp of followUps) {
    chars += followUp.user.length;
    turns.push([
      { id: id(), role: 'user', content: followUp.user },
      { id: id(), role: 'assistant', content: followUp.assistant, metadata: assistantMetadata(random, model, followUp.assistant, chars) },
    ]);
    chars += followUp.assistant.length;
  }
  return turns;
}

export async function seedDemoConversations(store: ConversationStore, options: SeedOptions = {}): Promise<SeedSummary> {
  const total = options.conversations ?? 300;
  const random = prng(options.seed ?? 20250314);
  const summary: SeedSummary = { conversations: 0, messages: 0, renamed: 0, redacted: 0, deleted: 0, skipped: 0 };
  for (let index = 0; index < total; index++) {
    const conversationId = `demo-${String(index + 1).padStart(4, '0')}`;
    const topic = pick(random, DEMO_TOPICS);
    const userId = pick(random, DEMO_USERS);
    const long = random() < 0.06;
    const turns = conversationTurns(random, topic, long);
    const rename = random() < 0.3;
    const redact = random() < 0.05;
    const remove = index % 150 === 149;
    if ((await store.getConversation(conversationId)) !== null) {
      summary.skipped++;
      continue;
    }
    for (const turn of turns) {
      await store.append(conversationId, turn, { userId, metadata: { requestId: seededUuid(random) } });
      summary.messages += turn.length;
    }
    if (rename) {
      await store.rename(conversationId, topic.title, { userId });
      summary.renamed++;
    }
    if (redact) {
      // The user's first message, as a support agent would after a data-removal request.
      const target = turns.flat().find((m) => m.role === 'user');
      if (target?.id !== undefined) {
        await store.redact(conversationId, target.id, { mode: index % 2 === 0 ? 'mask' : 'purge', reason: 'user requested removal (GDPR art. 17)', by: 'support@acme.example' });
        summary.redacted++;
      }
    }
    if (remove) {
      await store.deleteConversation(conversationId, { hard: false });
      summary.deleted++;
    }
    summary.conversations++;
    options.onProgress?.(index + 1, total);
  }
  return summary;
}
