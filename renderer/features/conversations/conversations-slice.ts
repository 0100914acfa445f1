import type { ApiInput, ConversationListItem } from '../../api/contract.js';
import { ApiError, describeError } from '../../api/api-error.js';
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
    /** The failed call's error code (BACKEND_UNAVAILABLE: the environment cannot be reached). */
    errorCode: string | null;
    /** Bumped per reload, so a slow page for old filters is dropped, not appended. */
    generation: number;
    /** Environment and reveal state the loaded rows belong to: coming back to the list reuses them. */
    loadedFor: string | null;
    /** Selected row and scroll offset, kept while a conversation is open so Back returns to them. */
    position: { active: number; scrollTop: number };
  };
  rememberConversationsPosition(position: { active: number; scrollTop: number }): void;
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
  errorCode: null,
  generation: 0,
  loadedFor: null,
  position: { active: 0, scrollTop: 0 },
});

/** Which environment and reveal state a page of rows was loaded for. */
export function listKey(environmentId: string | null, revealed: boolean): string {
  return `${environmentId ?? ''}|${revealed ? 'revealed' : 'masked'}`;
}

/** True when "from" is after "to": no conversation can match. */
export function invertedRange(filters: Pick<ConversationFilters, 'from' | 'to'>): boolean {
  if (filters.from === '' || filters.to === '') return false;
  const from = new Date(filters.from).getTime();
  const to = new Date(filters.to).getTime();
  return Number.isFinite(from) && Number.isFinite(to) && from > to;
}

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
      patch({ sort, position: { active: 0, scrollTop: 0 } });
    },

    rememberConversationsPosition(position) {
      patch({ position });
    },

    async reloadConversations() {
      const environmentId = get().environmentId;
      const generation = get().conversations.generation + 1;
      if (environmentId === null) {
        patch({ items: [], nextCursor: null, status: 'idle', error: null, generation, loadingMore: false });
        return;
      }
      const loadedFor = listKey(environmentId, get().revealed);
      patch({ status: 'loading', error: null, errorCode: null, generation, loadingMore: false, position: { active: 0, scrollTop: 0 } });
      const { filters } = get().conversations;
      try {
        const page = await api.call('conversations.list', buildListInput(environmentId, filters, null, get().revealed));
        if (get().conversations.generation !== generation) return;
        patch({ items: page.items, nextCursor: page.nextCursor ?? null, status: 'ready', loadedFor });
      } catch (error) {
        if (get().conversations.generation !== generation) return;
        patch({ status: 'error', error: describeError(error), errorCode: error instanceof ApiError ? error.code : null, items: [], nextCursor: null });
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
