import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import type { ApiInput, ApiOutput } from '../../api/contract.js';
import { conversation } from '../../testing/fixtures.js';
import { deferred, storeWith } from '../../testing/fake-api.js';
import { buildListInput, EMPTY_FILTERS, FIRST_PAGE, NEXT_PAGE } from './conversations-slice.js';
import { selectActiveFilterCount, selectHasMoreConversations, selectSortedConversations } from './conversations-selectors.js';

type ListOutput = ApiOutput<'conversations.list'>;
const page = (from: number, count: number, nextCursor?: string): ListOutput => ({
  items: Array.from({ length: count }, (_, i) => conversation(from + i)),
  masked: false,
  scanned: count,
  ...(nextCursor ? { nextCursor } : {}),
});

describe('buildListInput', () => {
  it('sends only the filters that are set, times as ISO UTC', () => {
    expect(buildListInput('e', EMPTY_FILTERS, null, false)).toEqual({ environmentId: 'e', limit: FIRST_PAGE });
    const input = buildListInput(
      'e',
      { search: '  refund  ', userId: 'u1', from: '2025-01-02T03:04', to: '', cached: 'cached', includeDeleted: true },
      'cur',
      true,
    );
    expect(input).toMatchObject({ search: 'refund', userId: 'u1', cached: 'cached', includeDeleted: true, cursor: 'cur', reveal: true, limit: NEXT_PAGE });
    expect(input.from).toBe(new Date('2025-01-02T03:04').toISOString());
    expect(input.to).toBeUndefined();
  });
});

describe('conversations slice', () => {
  it('loads the first page, then pages by cursor until the last page', async () => {
    const { store, api } = storeWith({
      'conversations.list': (input) => (input.cursor === undefined ? page(0, 3, 'c1') : page(3, 2)),
    });
    await store.getState().reloadConversations();
    expect(store.getState().conversations.items).toHaveLength(3);
    expect(selectHasMoreConversations(store.getState())).toBe(true);
    await store.getState().loadMoreConversations();
    expect(store.getState().conversations.items.map((c) => c.conversationId)).toEqual([
      'conv-000000', 'conv-000001', 'conv-000002', 'conv-000003', 'conv-000004',
    ]);
    expect(selectHasMoreConversations(store.getState())).toBe(false);
    await store.getState().loadMoreConversations();
    expect(api.calls.filter((c) => c.method === 'conversations.list')).toHaveLength(2);
    expect((api.calls[1]?.input as ApiInput<'conversations.list'>).cursor).toBe('c1');
  });

  it('drops a slow page that answers for filters that changed meanwhile', async () => {
    const slow = deferred<ListOutput>();
    const { store } = storeWith({
      'conversations.list': (input) => (input.search === 'new' ? page(100, 1) : slow.promise),
    });
    const first = store.getState().reloadConversations();
    await store.getState().setConversationFilters({ search: 'new' });
    slow.resolve(page(0, 5));
    await first;
    expect(store.getState().conversations.items.map((c) => c.conversationId)).toEqual(['conv-000100']);
    expect(selectActiveFilterCount(store.getState())).toBe(1);
  });

  it('shows the server error in words and keeps no rows', async () => {
    const { store } = storeWith({
      'conversations.list': () => {
        throw new ApiError('BACKEND_UNAVAILABLE', 'postgres: connection refused', 503);
      },
    });
    await store.getState().reloadConversations();
    expect(store.getState().conversations).toMatchObject({ status: 'error', error: 'postgres: connection refused', items: [] });
  });

  it('does not call the server without an environment', async () => {
    const { store, api } = storeWith({}, null);
    await store.getState().reloadConversations();
    expect(api.calls).toHaveLength(0);
    expect(store.getState().conversations.status).toBe('idle');
  });

  it('sorts loaded rows on the client and memoises the result', async () => {
    const { store } = storeWith({ 'conversations.list': () => page(0, 6) });
    await store.getState().reloadConversations();
    const serverOrder = selectSortedConversations(store.getState());
    expect(serverOrder).toBe(store.getState().conversations.items);
    store.getState().setConversationSort('messages');
    const byMessages = selectSortedConversations(store.getState());
    expect(byMessages.map((c) => c.messageCount)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(selectSortedConversations(store.getState())).toBe(byMessages);
  });
});
