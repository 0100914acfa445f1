import type { ConversationListItem } from '../../api/contract.js';
import type { AppState } from '../../state/types.js';
import type { SortKey } from './conversations-slice.js';

export const SORT_LABELS: Record<SortKey, string> = {
  activity: 'Newest activity',
  'activity-asc': 'Oldest activity',
  created: 'Newest created',
  messages: 'Most messages',
  title: 'Title A–Z',
};

const byActivity = (a: ConversationListItem, b: ConversationListItem) =>
  (b.lastMessageAt ?? b.createdAt).localeCompare(a.lastMessageAt ?? a.createdAt) || a.conversationId.localeCompare(b.conversationId);

const COMPARATORS: Record<SortKey, ((a: ConversationListItem, b: ConversationListItem) => number) | null> = {
  // The server's own order: newest activity first, stable by id; no re-sort needed.
  activity: null,
  'activity-asc': (a, b) => byActivity(b, a),
  created: (a, b) => b.createdAt.localeCompare(a.createdAt) || a.conversationId.localeCompare(b.conversationId),
  messages: (a, b) => b.messageCount - a.messageCount || byActivity(a, b),
  title: (a, b) => displayTitle(a).localeCompare(displayTitle(b)) || byActivity(a, b),
};

export function displayTitle(c: { title: string | null; preview: string; conversationId: string }): string {
  if (c.title) return c.title;
  return c.preview ? c.preview.slice(0, 80) : c.conversationId;
}

let memo: { items: ConversationListItem[]; sort: SortKey; result: ConversationListItem[] } | null = null;

/** Loaded rows in the chosen order (memoised: 100,000 rows are not re-sorted per render). */
export function selectSortedConversations(state: AppState): ConversationListItem[] {
  const { items, sort } = state.conversations;
  if (memo && memo.items === items && memo.sort === sort) return memo.result;
  const comparator = COMPARATORS[sort];
  const result = comparator ? [...items].sort(comparator) : items;
  memo = { items, sort, result };
  return result;
}

export function selectHasMoreConversations(state: AppState): boolean {
  return state.conversations.nextCursor !== null;
}

export function selectActiveFilterCount(state: AppState): number {
  const f = state.conversations.filters;
  return [f.search.trim(), f.userId.trim(), f.from, f.to, f.cached !== 'any', f.includeDeleted].filter(Boolean).length;
}
