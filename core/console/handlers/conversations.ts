/** conversations.list, conversation.* and cache.*: reads mask content on masked environments. */
import { ConversationNotFoundError } from '../../errors/errors.js';
import type { ConversationInfo } from '../../events/types.js';
import type { ConversationStore } from '../../store/types.js';
import type { ApiInput, ConversationListItem } from '../api.js';
import { ConsoleError } from '../console-error.js';
import type { Handlers } from '../context.js';
import { shouldMask } from '../context.js';
import { maskCacheReport, maskConversation, maskEvent, maskMessage, maskState } from '../masking.js';

/** Store pages a filtered list may scan before answering (the caller pages on with the cursor). */
const MAX_SCAN_PAGES = 10;

type ListInput = ApiInput<'conversations.list'>;

function byTime(info: ConversationInfo): string {
  return info.lastMessageAt ?? info.createdAt;
}

async function cachedFlag(store: ConversationStore, conversationId: string): Promise<boolean | null> {
  if (store.mode === 'embedded' || store.mode === 'postgres') return null;
  const report = await store.cache.inspect(conversationId);
  return report.entry !== null && !report.torn;
}

/**
 * The store lists newest first by lastMessageAt and knows userId and search; the time range and
 * the cached filter are applied here over whole store pages, so cursors stay the store's own.
 */
export async function listConversations(store: ConversationStore, input: ListInput): Promise<{ items: ConversationListItem[]; nextCursor?: string; scanned: number }> {
  const limit = input.limit ?? 50;
  const cached = input.cached ?? 'any';
  const filtering = input.from !== undefined || input.to !== undefined || cached !== 'any';
  const from = input.from === undefined ? undefined : new Date(input.from).toISOString();
  const to = input.to === undefined ? undefined : new Date(input.to).toISOString();
  const items: ConversationListItem[] = [];
  let cursor = input.cursor;
  let scanned = 0;
  for (let page = 0; page < (filtering ? MAX_SCAN_PAGES : 1); page++) {
    const result = await store.listConversations({
      limit,
      ...(cursor !== undefined ? { cursor } : {}),
      ...(input.search !== undefined && input.search.trim() !== '' ? { search: input.search } : {}),
      ...(input.userId !== undefined ? { userId: input.userId } : {}),
      ...(input.includeDeleted === true ? { includeDeleted: true } : {}),
    });
    scanned += result.items.length;
    let passedFrom = false;
    for (const info of result.items) {
      const at = byTime(info);
      if (to !== undefined && at > to) continue;
      if (from !== undefined && at < from) {
        passedFrom = true;
        break;
      }
      if (cached === 'any') {
        items.push(info);
        continue;
      }
      const flag = await cachedFlag(store, info.conversationId);
      if ((cached === 'cached') === (flag === true)) items.push({ ...info, cached: flag });
    }
    cursor = result.nextCursor;
    // Newest first: once a row is older than `from`, no later page can match.
    if (passedFrom || cursor === undefined) return { items, scanned };
    if (items.length >= limit) break;
  }
  return { items, scanned, ...(cursor !== undefined ? { nextCursor: cursor } : {}) };
}

export const conversationHandlers: Pick<
  Handlers,
  | 'conversations.list'
  | 'conversation.get'
  | 'conversation.tail'
  | 'conversation.read'
  | 'conversation.stateAt'
  | 'conversation.rename'
  | 'conversation.redact'
  | 'conversation.delete'
  | 'cache.inspect'
  | 'cache.evict'
  | 'cache.warm'
> = {
  'conversations.list': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const masked = shouldMask(env, input.reveal);
    // Which rows match a search tells what hidden text contains (a prefix search spells it out
    // word by word), so searching needs the same reveal as reading.
    if (masked && input.search !== undefined && input.search.trim() !== '') {
      throw new ConsoleError('REVEAL_REQUIRED', `Search is off while “${env.name}” is masked: reveal content to search it.`, { field: 'search' });
    }
    const store = await ctx.stores.get(input.environmentId);
    const result = await listConversations(store, input);
    return { ...result, items: masked ? result.items.map(maskConversation) : result.items, masked };
  },
  'conversation.get': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const store = await ctx.stores.get(input.environmentId);
    const info = await store.getConversation(input.conversationId);
    if (info === null) throw new ConversationNotFoundError(input.conversationId);
    const masked = shouldMask(env, input.reveal);
    return { ...(masked ? maskConversation(info) : info), masked };
  },
  'conversation.tail': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const store = await ctx.stores.get(input.environmentId);
    const result = await store.tailWithSource(input.conversationId, input.n);
    const masked = shouldMask(env, input.reveal);
    return { ...result, messages: masked ? result.messages.map(maskMessage) : result.messages, masked };
  },
  'conversation.read': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const store = await ctx.stores.get(input.environmentId);
    const { environmentId: _e, conversationId, reveal, ...options } = input;
    const result = await store.read(conversationId, options);
    const masked = shouldMask(env, reveal);
    return { events: masked ? result.events.map(maskEvent) : result.events, version: result.version, masked };
  },
  'conversation.stateAt': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const store = await ctx.stores.get(input.environmentId);
    const state = await store.stateAt(input.conversationId, input.version);
    const masked = shouldMask(env, input.reveal);
    return { ...(masked ? maskState(state) : state), masked };
  },
  'conversation.rename': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    const result = await store.rename(input.conversationId, input.title, { metadata: { causationId: 'console' } });
    return { version: result.version };
  },
  'conversation.redact': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    const result = await store.redact(input.conversationId, input.messageId, { mode: input.mode, reason: input.reason, by: 'console' });
    return { version: result.version };
  },
  'conversation.delete': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    const hard = input.hard === true;
    await store.deleteConversation(input.conversationId, { hard });
    return { deleted: true, hard };
  },
  'cache.inspect': async (input, ctx) => {
    const env = ctx.registry.get(input.environmentId);
    const store = await ctx.stores.get(input.environmentId);
    const report = await store.cache.inspect(input.conversationId);
    const masked = shouldMask(env, input.reveal);
    return { ...(masked ? maskCacheReport(report) : report), masked };
  },
  'cache.evict': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    await store.cache.evict(input.conversationId);
    return { evicted: true };
  },
  'cache.warm': async (input, ctx) => {
    const store = await ctx.stores.get(input.environmentId);
    await store.cache.warm(input.conversationId);
    return { warmed: true };
  },
};
