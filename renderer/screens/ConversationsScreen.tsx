import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useApp } from '../state/store-context.js';
import {
  SORT_LABELS,
  selectActiveFilterCount,
  selectHasMoreConversations,
  selectSortedConversations,
} from '../features/conversations/conversations-selectors.js';
import { EMPTY_FILTERS, type CachedFilter, type SortKey } from '../features/conversations/conversations-slice.js';
import { formatHash } from '../features/ui/routes.js';
import { selectMasked } from '../features/environments/environments-selectors.js';
import { Empty, ErrorState, Loading } from '../components/StateView.js';
import { useDebounced } from '../components/useDebounced.js';
import { absoluteTime, count, relativeTime } from '../components/format.js';

const ROW_HEIGHT = 58;

function open(conversationId: string) {
  location.hash = formatHash({ name: 'conversation', conversationId, tab: 'transcript' });
}

export function ConversationsScreen() {
  const environmentId = useApp((s) => s.environmentId);
  const revealed = useApp((s) => s.revealed);
  const list = useApp((s) => s.conversations);
  const rows = useApp(selectSortedConversations);
  const hasMore = useApp(selectHasMoreConversations);
  const filterCount = useApp(selectActiveFilterCount);
  const masked = useApp(selectMasked);
  const setFilters = useApp((s) => s.setConversationFilters);
  const setSort = useApp((s) => s.setConversationSort);
  const reload = useApp((s) => s.reloadConversations);
  const loadMore = useApp((s) => s.loadMoreConversations);

  const [search, setSearch] = useState(list.filters.search);
  const [userId, setUserId] = useState(list.filters.userId);
  const debouncedSearch = useDebounced(search, 250);
  const debouncedUser = useDebounced(userId, 250);
  const [active, setActive] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (environmentId !== null) void reload();
  }, [environmentId, revealed, reload]);

  useEffect(() => {
    const f = list.filters;
    if (debouncedSearch !== f.search || debouncedUser !== f.userId) void setFilters({ search: debouncedSearch, userId: debouncedUser });
    // Only the debounced inputs drive this; the store's filters are read, not watched.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedSearch, debouncedUser]);

  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasMore && lastIndex >= rows.length - 30) void loadMore();
  }, [lastIndex, rows.length, hasMore, loadMore]);

  useEffect(() => {
    if (active >= rows.length && rows.length > 0) setActive(rows.length - 1);
  }, [rows.length, active]);

  const move = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    const handled: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => {
        const row = rows[active];
        if (row) open(row.conversationId);
      },
    };
    const action = handled[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const activeRow = rows[active];
  const activeId = activeRow ? `conv-row-${active}` : undefined;

  return (
    <section className="screen" aria-labelledby="conversations-title">
      <div className="screen-header">
        <h1 id="conversations-title">Conversations</h1>
        <span className="sub" aria-live="polite">
          {list.status === 'ready' ? `${count(rows.length)}${hasMore ? '+' : ''} loaded` : null}
          {filterCount > 0 ? ` · ${filterCount} filter${filterCount === 1 ? '' : 's'}` : ''}
        </span>
        {masked ? <span className="badge warn">content masked</span> : null}
      </div>
      <div className="toolbar" role="search">
        <label className="field grow">
          Search title and content
          <input type="search" placeholder="refund policy…" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="field">
          User
          <input type="text" className="mono" placeholder="user id" value={userId} onChange={(e) => setUserId(e.target.value)} style={{ width: 140 }} />
        </label>
        <label className="field">
          Active from
          <input type="datetime-local" value={list.filters.from} onChange={(e) => void setFilters({ from: e.target.value })} />
        </label>
        <label className="field">
          Active until
          <input type="datetime-local" value={list.filters.to} onChange={(e) => void setFilters({ to: e.target.value })} />
        </label>
        <label className="field">
          Cache
          <select value={list.filters.cached} onChange={(e) => void setFilters({ cached: e.target.value as CachedFilter })}>
            <option value="any">Any</option>
            <option value="cached">Cached</option>
            <option value="uncached">Not cached</option>
          </select>
        </label>
        <label className="field">
          Sort
          <select value={list.sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            {Object.entries(SORT_LABELS).map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="check" style={{ paddingBottom: 6 }}>
          <input type="checkbox" checked={list.filters.includeDeleted} onChange={(e) => void setFilters({ includeDeleted: e.target.checked })} />
          Deleted
        </label>
        {filterCount > 0 ? (
          <button
            type="button"
            className="ghost"
            onClick={() => {
              setSearch('');
              setUserId('');
              void setFilters(EMPTY_FILTERS);
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
      {list.sort !== 'activity' && hasMore ? (
        <div className="hint list-note">Sorting applies to the {count(rows.length)} loaded rows; scroll to load more.</div>
      ) : null}
      <div className="list-header" aria-hidden="true">
        <span>Conversation</span>
        <span>User</span>
        <span className="num">Msgs</span>
        <span className="num">Ver</span>
        <span>Last activity</span>
      </div>
      <div className="list-body">
        {list.status === 'loading' ? <Loading label="Loading conversations…" /> : null}
        {list.status === 'error' ? <ErrorState message={list.error ?? ''} onRetry={() => void reload()} /> : null}
        {list.status === 'ready' && rows.length === 0 ? (
          <Empty title={filterCount > 0 ? 'No conversation matches these filters' : 'No conversations yet'}>
            {filterCount > 0 ? 'Try fewer words or a wider time range.' : 'Start one in the Playground.'}
          </Empty>
        ) : null}
        {list.status === 'ready' && rows.length > 0 ? (
          <div
            ref={scroller}
            className="virtual-scroller"
            role="listbox"
            aria-label="Conversations"
            tabIndex={0}
            aria-activedescendant={activeId}
            onKeyDown={onKeyDown}
            data-row-count={rows.length}
          >
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualItems.map((item) => {
                const row = rows[item.index];
                if (!row) {
                  return (
                    <div key="more" className="conv-row loading-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}>
                      <span className="spinner" aria-hidden="true" /> Loading more…
                    </div>
                  );
                }
                return (
                  <div
                    key={row.conversationId}
                    id={`conv-row-${item.index}`}
                    role="option"
                    aria-selected={item.index === active}
                    className={`conv-row${item.index === active ? ' active' : ''}${row.status === 'deleted' ? ' deleted' : ''}`}
                    style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                    onClick={() => setActive(item.index)}
                    onDoubleClick={() => open(row.conversationId)}
                    data-conversation-id={row.conversationId}
                  >
                    <div className="conv-main">
                      <div className="conv-title">
                        <a
                          href={formatHash({ name: 'conversation', conversationId: row.conversationId, tab: 'transcript' })}
                          tabIndex={-1}
                          className={row.title ? undefined : 'untitled'}
                        >
                          {row.title ?? 'Untitled'}
                        </a>
                        {row.title ? null : <span className="mono hint">{row.conversationId}</span>}
                        {row.status === 'deleted' ? <span className="badge danger">deleted</span> : null}
                        {row.cached === true ? <span className="badge ok">cached</span> : null}
                        {row.cached === false ? <span className="badge">not cached</span> : null}
                      </div>
                      <div className="conv-preview">{row.preview || <em>no messages</em>}</div>
                    </div>
                    <span className="mono conv-user">{row.userId ?? '—'}</span>
                    <span className="num">{count(row.messageCount)}</span>
                    <span className="num mono">{row.version}</span>
                    <span className="conv-time" title={absoluteTime(row.lastMessageAt ?? row.createdAt)}>
                      {relativeTime(row.lastMessageAt ?? row.createdAt)}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        ) : null}
      </div>
      <div className="status-bar hint">
        <span>↑↓ move · Enter open · PgUp/PgDn · Home/End</span>
        {list.loadingMore ? <span>Loading more…</span> : null}
        {list.error && list.status === 'ready' ? <span className="field-error">{list.error}</span> : null}
      </div>
    </section>
  );
}
