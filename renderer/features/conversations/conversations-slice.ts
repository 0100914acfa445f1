import type { ApiInput, ConversationListItem } from '../../api/contract.js';
import { describeError } from '../../api/api-error.js';
import type { LoadStatus, SliceCreator } from '../../state/types.js';

export type CachedFilter = 'any' | 'cached' | 'uncached';
export type SortKey = 'activity' | 'activity-asc' | 'created' | 'messages' | 'title';

export interface ConversationFilters {
  search: string;
  userId: string;
  /** datetime-local values (local time); converted to ISO UTC for the server. */
  from: string;
  to: string;
  cached: CachedFilter;
  includeDeleted: boolean;
}

export const EMPTY_FILTERS: ConversationFilters = {
  search: '',
  userId: '',
  from: '',
  to: '',
  cached: 'any',
  includeDeleted: false,
};

/** A small first page paints fast; later pages are as large as the server allows, so a long scroll makes few round trips. */
export const FIRST_PAGE = 100;
export const NEXT_PAGE = 500;

export interface ConversationsSlice {
  conversations: {
    filters: ConversationFilters;
    sort: SortKey;
    items: ConversationListItem[];
    nextCursor: string | null;
    status: LoadStatus;
    loadingMore: boolean;
    error: string | null;
    /** Bumped per reload, so a slow page for old filters is dropped, not appended. */
    generation: number;
  };
  setConversationFilters(patch: Partial<ConversationFilters>): Promise<void>;
  setConversationSort(sort: SortKey): void;
  reloadConversations(): Promise<void>;
  loadMoreConversations(): Promise<void>;
  resetConversations(): void;
}

function toIso(local: string): string | undefined {
  if (local === '') return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

export function buildListInput(
  environmentId: string,
  filters: ConversationFilters,
  cursor: string | null,
  reveal: boolean,
  limit: number = cursor === null ? FIRST_PAGE : NEXT_PAGE,
): ApiInput<'conversations.list'> {
  const input: ApiInput<'conversations.list'> = { environmentId, limit };
  const search = filters.search.trim();
  if (search) input.search = search;
  const userId = filters.userId.trim();
  if (userId) input.userId = userId;
  const from = toIso(filters.from);
  if (from) input.from = from;
  const to = toIso(filters.to);
  if (to) input.to = to;
  if (filters.cached !== 'any') input.cached = filters.cached;
  if (filters.includeDeleted) input.includeDeleted = true;
  if (cursor) input.cursor = cursor;
  if (reveal) input.reveal = true;
  return input;
}

const initial = (): ConversationsSlice['conversations'] => ({
  filters: EMPTY_FILTERS,
  sort: 'activity',
  items: [],
  nextCursor: null,
  status: 'idle',
  loadingMore: false,
  error: null,
  generation: 0,
});

export const createConversationsSlice: SliceCreator<ConversationsSlice> = (set, get, { api }) => {
  const patch = (p: Partial<ConversationsSlice['conversations']>) =>
    set((s) => ({ conversations: { ...s.conversations, ...p } }));

  return {
    conversations: initial(),

    async setConversationFilters(filters) {
      patch({ filters: { ...get().conversations.filters, ...filters } });
      await get().reloadConversations();
    },

    setConversationSort(sort) {
      patch({ sort });
    },

    async reloadConversations() {
      const environmentId = get().environmentId;
      const generation = get().conversations.generation + 1;
      if (environmentId === null) {
        patch({ items: [], nextCursor: null, status: 'idle', error: null, generation, loadingMore: false });
        return;
      }
      patch({ status: 'loading', error: null, generation, loadingMore: false });
      const { filters } = get().conversations;
      try {
        const page = await api.call('conversations.list', buildListInput(environmentId, filters, null, get().revealed));
        if (get().conversations.generation !== generation) return;
        patch({ items: page.items, nextCursor: page.nextCursor ?? null, status: 'ready' });
      } catch (error) {
        if (get().conversations.generation !== generation) return;
        patch({ status: 'error', error: describeError(error), items: [], nextCursor: null });
      }
    },

    async loadMoreConversations() {
      const state = get().conversations;
      const environmentId = get().environmentId;
      if (environmentId === null || state.status !== 'ready' || state.loadingMore || state.nextCursor === null) return;
      const generation = state.generation;
      patch({ loadingMore: true });
      try {
        const page = await api.call(
          'conversations.list',
          buildListInput(environmentId, state.filters, state.nextCursor, get().revealed),
        );
        if (get().conversations.generation !== generation) return;
        set((s) => ({
          conversations: {
            ...s.conversations,
            items: s.conversations.items.concat(page.items),
            nextCursor: page.nextCursor ?? null,
            loadingMore: false,
          },
        }));
      } catch (error) {
        if (get().conversations.generation !== generation) return;
        patch({ loadingMore: false, error: describeError(error) });
      }
    },

    resetConversations() {
      set((s) => ({ conversations: { ...initial(), generation: s.conversations.generation + 1 } }));
    },
  };
};
