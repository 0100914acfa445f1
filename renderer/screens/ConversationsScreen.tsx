import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useApp } from '../state/store-context.js';
import {
  SORT_LABELS,
  selectActiveFilterCount,
  selectHasMoreConversations,
  selectSortedConversations,
} from '../features/conversations/conversations-selectors.js';
import { EMPTY_FILTERS, invertedRange, listKey, type CachedFilter, type SortKey } from '../features/conversations/conversations-slice.js';
import { highlightSegments, searchWords } from '../features/conversations/search-words.js';
import { formatHash } from '../features/ui/routes.js';
import { selectMasked } from '../features/environments/environments-selectors.js';
import { Empty, ErrorState, Loading } from '../components/StateView.js';
import { OfflineCopyDialog } from '../components/OfflineCopyDialog.js';
import { isUnreachable } from '../features/offline/offline-slice.js';
import { useDebounced } from '../components/useDebounced.js';
import { absoluteTime, count, relativeTime } from '../components/format.js';

const ROW_HEIGHT = 58;

function Highlighted({ text, words }: { text: string; words: readonly string[] }) {
  return (
    <>
      {highlightSegments(text, words).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : segment.text))}
    </>
  );
}

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
  const environmentName = useApp((s) => s.environments.items.find((e) => e.id === s.environmentId)?.name ?? null);
  const setFilters = useApp((s) => s.setConversationFilters);
  const setSort = useApp((s) => s.setConversationSort);
  const reload = useApp((s) => s.reloadConversations);
  const loadMore = useApp((s) => s.loadMoreConversations);
  const remember = useApp((s) => s.rememberConversationsPosition);

  const [search, setSearch] = useState(list.filters.search);
  const [userId, setUserId] = useState(list.filters.userId);
  const debouncedSearch = useDebounced(search, 250);
  const debouncedUser = useDebounced(userId, 250);
  const [active, setActive] = useState(list.position.active);
  const scroller = useRef<HTMLDivElement>(null);
  const scrollTop = useRef(list.position.scrollTop);
  const activeRef = useRef(active);
  activeRef.current = active;
  // End keeps loading pages until the last row is in.
  const [toEnd, setToEnd] = useState(false);
  const [savingCopy, setSavingCopy] = useState(false);

  useEffect(() => {
    // Coming back from a conversation reuses the loaded rows, their order and position.
    if (environmentId !== null && (list.loadedFor !== listKey(environmentId, revealed) || list.status === 'idle' || list.status === 'error')) void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [environmentId, revealed, reload]);

  useEffect(() => {
    // A reload starts again at the top.
    setActive(list.position.active);
    scrollTop.current = list.position.scrollTop;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.generation]);

  useEffect(() => () => remember({ active: activeRef.current, scrollTop: scrollTop.current }), [remember]);

  const showing = list.status === 'ready' && rows.length > 0;
  useLayoutEffect(() => {
    if (showing && scroller.current) virtualizer.scrollToOffset(scrollTop.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [showing]);

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
    initialOffset: () => scrollTop.current,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasMore && lastIndex >= rows.length - 30) void loadMore();
  }, [lastIndex, rows.length, hasMore, loadMore]);

  useEffect(() => {
    if (active >= rows.length && rows.length > 0) setActive(rows.length - 1);
  }, [rows.length, active]);

  useEffect(() => {
    if (!toEnd) return;
    const last = rows.length - 1;
    if (last >= 0) {
      setActive(last);
      virtualizer.scrollToIndex(last, { align: 'end' });
    }
    if (hasMore) void loadMore();
    else setToEnd(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [toEnd, rows.length, hasMore]);

  const move = (index: number) => {
    setToEnd(false);
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
      End: () => {
        move(rows.length - 1);
        if (hasMore) setToEnd(true);
      },
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

  const words = searchWords(list.filters.search);
  const noWords = list.filters.search.trim() !== '' && words.length === 0;
  const inverted = invertedRange(list.filters);
  const activeRow = rows[active];
  const activeId = activeRow ? `conv-row-${active}` : undefined;

  return (
    <section className="screen" aria-labelledby="conversations-title">
      <div className="screen-header">
        <h1 id="conversations-title">Conversations</h1>
        <span className="sub" aria-live="polite">
          {list.status === 'ready' ? (hasMore ? `${count(rows.length)} loaded, more…` : `${count(rows.length)} loaded · all`) : null}
          {filterCount > 0 ? ` · ${filterCount} filter${filterCount === 1 ? '' : 's'}` : ''}
        </span>
        {masked ? <span className="badge warn">content masked</span> : null}
        <button type="button" className="ghost" style={{ marginLeft: 'auto' }} onClick={() => setSavingCopy(true)} disabled={list.status !== 'ready' || rows.length === 0}>
          Save offline copy
        </button>
      </div>
      {savingCopy ? <OfflineCopyDialog onClose={() => setSavingCopy(false)} /> : null}
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
        <label className="field" title="Whether a row is cached is looked up only while this filter is set: with “Any”, rows carry no cache badge">
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
                {key !== 'activity' && hasMore ? ' (loaded rows)' : ''}
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
        <div className="hint list-note" role="note">
          “{SORT_LABELS[list.sort]}” sorts the {count(rows.length)} loaded rows only, not every conversation; scroll or press End to load more.
        </div>
      ) : null}
      {inverted ? (
        <div className="field-error list-note" role="alert">
          “Active from” is after “Active until”: no conversation can match. Swap or clear one of the dates.
        </div>
      ) : null}
      {noWords ? (
        <div className="readonly-note list-note" role="alert">
          “{list.filters.search.trim()}” has no searchable words: search matches words of letters or digits, and ignores symbols such as + and *.
        </div>
      ) : words.length > 0 ? (
        <div className="hint list-note" aria-live="polite">
          Searching for words starting with {words.map((w) => `“${w}”`).join(' and ')} in titles and messages{words.some((w) => w.length < 2) ? ' (a one-letter word matches a lot)' : ''}. The
          preview shows each conversation’s last message; matches in it are highlighted.
        </div>
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
        {list.status === 'error' ? (
          <ErrorState
            {...(isUnreachable(list.errorCode) ? { title: `Cannot reach ${environmentName ?? 'this environment'}` } : {})}
            message={list.error ?? ''}
            onRetry={() => void reload()}
          />
        ) : null}
        {list.status === 'ready' && rows.length === 0 && !inverted && !noWords ? (
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
            data-skip-target
            aria-activedescendant={activeId}
            onKeyDown={onKeyDown}
            onScroll={(e) => {
              scrollTop.current = e.currentTarget.scrollTop;
            }}
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
                          title={row.title ?? undefined}
                        >
                          {row.title ? <Highlighted text={row.title} words={words} /> : 'Untitled'}
                        </a>
                        {row.title ? null : <span className="mono hint">{row.conversationId}</span>}
                        {row.status === 'deleted' ? <span className="badge danger">deleted</span> : null}
                        {row.cached === true ? <span className="badge ok">cached</span> : null}
                        {row.cached === false ? <span className="badge">not cached</span> : null}
                        {words.length > 0 && !highlightSegments(`${row.title ?? ''} ${row.preview}`, words).some((x) => x.match) ? (
                          <span className="badge" title="The preview is the last message; the words are in an earlier one">
                            match in an earlier message
                          </span>
                        ) : null}
                      </div>
                      <div className="conv-preview" title={row.preview || undefined}>
                        {row.preview ? <Highlighted text={row.preview} words={words} /> : <em>no messages</em>}
                      </div>
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
        <span>↑↓ move · Enter open · PgUp/PgDn · Home/End (End loads the rest)</span>
        {list.loadingMore ? <span>Loading more{toEnd ? ' (to the end)' : ''}…</span> : null}
        {list.error && list.status === 'ready' ? <span className="field-error">{list.error}</span> : null}
      </div>
    </section>
  );
}
