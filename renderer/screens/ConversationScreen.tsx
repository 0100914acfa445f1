import { useCallback, useEffect, useState } from 'react';
import type { Message } from '../../core/events/types.js';
import type { CacheEntryReport } from '../../core/store/types.js';
import { cacheDiffs } from '../features/conversation/cache-diff.js';
import { useApp } from '../state/store-context.js';
import { formatHash, type ConversationTab } from '../features/ui/routes.js';
import { selectCurrentEnvironment, selectMasked, selectReadOnlyReason } from '../features/environments/environments-selectors.js';
import type { ConversationAction } from '../features/conversation/conversation-slice.js';
import { JsonView } from '../components/JsonView.js';
import { EventsPanel } from './EventsPanel.js';
import { TranscriptPanel } from './TranscriptPanel.js';
import { Dialog } from '../components/Dialog.js';
import { IdChip } from '../components/CopyButton.js';
import { Empty, ErrorState, Loading } from '../components/StateView.js';
import { absoluteTime, count, relativeTime, ttl } from '../components/format.js';

const TABS: Array<{ id: ConversationTab; label: string }> = [
  { id: 'transcript', label: 'Transcript' },
  { id: 'events', label: 'Raw events' },
  { id: 'cache', label: 'Cache vs log' },
];

const VERDICT_TEXT: Record<string, { tone: string; text: string }> = {
  consistent: { tone: 'ok', text: 'Consistent: the cache holds exactly the log’s tail.' },
  stale: { tone: 'warn', text: 'Stale: the cache is behind the log. The next append or fill will repair it, or evict it now.' },
  diverged: { tone: 'danger', text: 'Diverged: the cache is at the log’s head but holds different messages. Evict it, or re-warm it from the log.' },
  missing: { tone: 'info', text: 'Missing: nothing is cached for this conversation; the next read fills it from the log.' },
  torn: { tone: 'danger', text: 'Torn: part of the entry is missing (metadata without list or the reverse). Readers treat it as a miss.' },
  disabled: { tone: 'info', text: 'No cache tier: this environment has no Redis configured.' },
};

type DialogState = { kind: 'rename' } | { kind: 'redact'; message: Message } | { kind: 'delete' } | null;

function ActionDialog({ state, onClose, title }: { state: NonNullable<DialogState>; onClose: () => void; title: string }) {
  const run = useApp((s) => s.runConversationAction);
  const [text, setText] = useState(state.kind === 'rename' ? title : '');
  const [mode, setMode] = useState<'mask' | 'purge'>('mask');
  const [hard, setHard] = useState(false);
  const submit = async (action: ConversationAction) => {
    onClose();
    await run(action);
  };
  if (state.kind === 'rename') {
    return (
      <Dialog title="Rename conversation" onClose={onClose}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) void submit({ kind: 'rename', title: text.trim() });
          }}
        >
          <label className="field">
            New title
            <input type="text" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <p className="hint">Appends a conversation.renamed event and invalidates the cache entry. Enter renames, Escape cancels.</p>
          <div className="dialog-actions">
            <button type="button" className="ghost" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!text.trim()}>
              Rename
            </button>
          </div>
        </form>
      </Dialog>
    );
  }
  if (state.kind === 'redact') {
    return (
      <Dialog title={`Redact message v${state.message.version}`} onClose={onClose}>
        <fieldset className="fieldset">
          <legend>Mode</legend>
          <label className="check">
            <input type="radio" name="redact-mode" checked={mode === 'mask'} onChange={() => setMode('mask')} /> Mask content (keep metadata)
          </label>
          <label className="check">
            <input type="radio" name="redact-mode" checked={mode === 'purge'} onChange={() => setMode('purge')} /> Purge content and metadata
          </label>
        </fieldset>
        <label className="field">
          Reason (recorded in the log)
          <input type="text" value={text} onChange={(e) => setText(e.target.value)} placeholder="PII removal request #123" />
        </label>
        <div className="dialog-actions">
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            disabled={!text.trim()}
            onClick={() => void submit({ kind: 'redact', messageId: state.message.id, mode, reason: text.trim() })}
          >
            Redact message
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Delete conversation" onClose={onClose}>
      <p>
        A soft delete appends a <code>conversation.deleted</code> event: the log stays readable here, the conversation takes no more
        writes and leaves the list. A hard delete removes every event and frees the id.
      </p>
      <label className="check">
        <input type="checkbox" checked={hard} onChange={(e) => setHard(e.target.checked)} /> Hard delete (cannot be undone)
      </label>
      <div className="dialog-actions">
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => void submit({ kind: 'delete', hard })}>
          {hard ? 'Delete forever' : 'Delete'}
        </button>
      </div>
    </Dialog>
  );
}

function CacheDifferences({ report }: { report: CacheEntryReport }) {
  const diffs = cacheDiffs(report);
  if (diffs.length === 0) return null;
  return (
    <section className="panel cache-diffs" aria-label="Differences between cache and log">
      <div className="panel-title">
        <h3>
          {diffs.length === 1 ? '1 message differs' : `${diffs.length} messages differ`}
        </h3>
      </div>
      {diffs.map((d) => (
        <div key={`${d.version}-${d.messageId}`} className="cache-diff" aria-label={`Difference at v${d.version}`}>
          <div className="row">
            <span className="mono">v{d.version}</span>
            <IdChip id={d.messageId} label="message id" />
            {d.missingFrom ? <span className="badge warn">only in the {d.missingFrom === 'cache' ? 'log' : 'cache'}</span> : null}
            <span className="hint">{d.fields.map((f) => f.field).join(', ')}</span>
          </div>
          {d.fields.map((f) => (
            <div key={f.field} className="field-diff" aria-label={`${f.field} at v${d.version}`}>
              <span className="field-diff-name mono">{f.field}</span>
              <div className="field-diff-side">
                <span className="hint">cache</span>
                <pre className="diff-old">{f.cached ?? '(not cached)'}</pre>
              </div>
              <div className="field-diff-side">
                <span className="hint">log</span>
                <pre className="diff-new">{f.logged ?? '(not in the log tail)'}</pre>
              </div>
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}

function CacheColumn({
  title,
  version,
  position,
  messages,
  differing,
  extra,
}: {
  title: string;
  version: number | null;
  position: number | null;
  messages: Message[];
  differing: ReadonlySet<number>;
  extra?: React.ReactNode;
}) {
  return (
    <div className="panel cache-col" aria-label={title}>
      <div className="panel-title">
        <h3>{title}</h3>
      </div>
      <dl className="kv">
        <dt>Version</dt>
        <dd className="mono">{version ?? '—'}</dd>
        <dt>Position</dt>
        <dd className="mono">{position ?? '—'}</dd>
        <dt>Messages</dt>
        <dd>{messages.length}</dd>
        {extra}
      </dl>
      <ol className="cache-messages">
        {messages.map((m) => (
          <li key={m.id} className={differing.has(m.version) ? 'differs' : undefined} aria-label={differing.has(m.version) ? `v${m.version} differs` : undefined}>
            {differing.has(m.version) ? <span className="badge danger">differs</span> : null} <span className="mono hint">v{m.version}</span> <span className={`role-dot role-${m.role}`}>{m.role}</span>{' '}
            <span className="cache-content">{m.content.slice(0, 160) || (m.redacted ? '(redacted)' : '')}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ConversationScreen({ conversationId, tab }: { conversationId: string; tab: ConversationTab }) {
  const environmentId = useApp((s) => s.environmentId);
  const revealed = useApp((s) => s.revealed);
  const c = useApp((s) => s.conversation);
  const open = useApp((s) => s.openConversation);
  const refreshCache = useApp((s) => s.refreshCache);
  const loadMoreEvents = useApp((s) => s.loadMoreEvents);
  const run = useApp((s) => s.runConversationAction);
  const readOnly = useApp(selectReadOnlyReason);
  const masked = useApp(selectMasked);
  const [dialog, setDialog] = useState<DialogState>(null);
  const redact = useCallback((message: Message) => setDialog({ kind: 'redact', message }), []);

  useEffect(() => {
    if (environmentId !== null) void open(conversationId);
  }, [environmentId, conversationId, revealed, open]);

  const info = c.info;
  const deleted = info?.status === 'deleted';
  const env = useApp(selectCurrentEnvironment);
  // Nothing to act on until the conversation is open here (after a switch it may not exist in this environment).
  const unavailable =
    c.status === 'error'
      ? `This conversation could not be opened in ${env?.name ?? 'this environment'}; conversations belong to the environment they were opened from.`
      : null;
  const notReady = c.status !== 'ready';
  const writeBlocked = unavailable ?? readOnly ?? (deleted ? 'This conversation is deleted: it takes no more writes.' : null);
  const title = info?.title ?? (info ? 'Untitled conversation' : conversationId);
  const noCache = c.cache?.verdict === 'disabled' || (env !== null && env.connection.redis === undefined);
  const cacheBlocked = writeBlocked ?? (noCache ? 'No Redis cache on this environment: nothing to evict or warm.' : null);
  const differing = new Set((c.cache?.differences ?? []).map((d) => d.version));
  const setTab = (id: ConversationTab) => {
    location.hash = formatHash({ name: 'conversation', conversationId, tab: id });
  };

  return (
    <section className="screen" aria-labelledby="conversation-title">
      <div className="screen-header conv-header">
        <div className="stack" style={{ gap: 4, minWidth: 0, flex: 1 }}>
          <div className="row">
            <h1 id="conversation-title" className={info?.title ? undefined : 'untitled'}>
              {title}
            </h1>
            {deleted ? <span className="badge danger">deleted</span> : null}
            {masked ? <span className="badge warn">content masked</span> : null}
          </div>
          <div className="row hint conv-meta">
            <IdChip id={conversationId} label="conversation id" />
            {info ? (
              <>
                <span>
                  user <span className="mono">{info.userId ?? '—'}</span>
                </span>
                <span>· v{info.version}</span>
                <span>· {count(info.messageCount)} messages</span>
                <span title={absoluteTime(info.createdAt)}>· started {relativeTime(info.createdAt)}</span>
                <span title={absoluteTime(info.lastMessageAt)}>· last message {relativeTime(info.lastMessageAt)}</span>
              </>
            ) : null}
          </div>
        </div>
      </div>
      <div className="row actions action-bar" role="toolbar" aria-label="Conversation actions">
        <a className="button-link" href={formatHash({ name: 'replay', conversationId, version: null })}>
          Replay
        </a>
        {writeBlocked ? null : (
          <a className="button-link" href={formatHash({ name: 'playground', conversationId })}>
            Continue in Playground
          </a>
        )}
        <span className="divider" aria-hidden="true" />
        <button type="button" disabled={!!writeBlocked || c.busy !== null || notReady} onClick={() => setDialog({ kind: 'rename' })} title={writeBlocked ?? undefined}>
          Rename
        </button>
        <button
          type="button"
          disabled={!!cacheBlocked || c.busy !== null || notReady}
          onClick={() => void run({ kind: 'evict' })}
          title={cacheBlocked ?? 'Drop the cache entry and raise the fence'}
        >
          Evict from cache
        </button>
        <button
          type="button"
          disabled={!!cacheBlocked || c.busy !== null || notReady}
          onClick={() => void run({ kind: 'warm' })}
          title={cacheBlocked ?? 'Fill the cache entry from the log'}
        >
          Re-warm
        </button>
        <button type="button" className="danger" disabled={!!writeBlocked || c.busy !== null || notReady} onClick={() => setDialog({ kind: 'delete' })} title={writeBlocked ?? undefined}>
          Delete
        </button>
        {c.busy ? <span className="hint">Working…</span> : null}
        {!writeBlocked && cacheBlocked ? <span className="hint">{cacheBlocked}</span> : null}
      </div>
      {writeBlocked || c.actionError ? (
        <div className="action-notes">
          {writeBlocked ? (
            <span className="readonly-note" role="note">
              ⚠ Actions disabled: {writeBlocked}
            </span>
          ) : null}
          {c.actionError ? (
            <span className="field-error" role="alert">
              {c.actionError}
            </span>
          ) : null}
        </div>
      ) : null}
      <div className="tabs" role="tablist" aria-label="Conversation views">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => {
              const i = TABS.findIndex((x) => x.id === tab);
              const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : null;
              if (next) {
                e.preventDefault();
                setTab(next.id);
                document.getElementById(`tab-${next.id}`)?.focus();
              }
            }}
          >
            {t.label}
            {t.id === 'cache' && c.cache ? <span className={`badge ${VERDICT_TEXT[c.cache.verdict]?.tone ?? ''}`}>{c.cache.verdict}</span> : null}
            {t.id === 'events' && c.eventsHead ? <span className="badge">{c.eventsHead}</span> : null}
          </button>
        ))}
      </div>
      {/* Keyed by tab: each view opens at its own top instead of the previous view's scroll offset. */}
      <div key={tab} className="screen-body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {c.status === 'loading' ? <Loading label="Loading conversation…" /> : null}
        {c.status === 'error' ? (
          <ErrorState
            title={`Cannot open this conversation in ${env?.name ?? 'this environment'}`}
            message={`${c.error ?? ''} If you switched environment, switch back to the one it came from, or pick a conversation from this environment's list.`}
            onRetry={() => void open(conversationId)}
          />
        ) : null}
        {c.status === 'ready' && tab === 'transcript' ? (
          c.state && c.state.messages.length > 0 ? (
            <TranscriptPanel conversationId={conversationId} messages={c.state.messages} onRedact={writeBlocked ? null : redact} />
          ) : (
            <Empty title="No messages">This conversation has no messages yet.</Empty>
          )
        ) : null}
        {c.status === 'ready' && tab === 'events' ? <EventsPanel events={c.events} head={c.eventsHead} onLoadMore={() => void loadMoreEvents()} /> : null}
        {tab === 'cache' ? (
          c.cacheStatus === 'loading' && !c.cache ? (
            <Loading label="Inspecting the cache…" />
          ) : c.cacheStatus === 'error' ? (
            <ErrorState title="Cannot inspect the cache" message={c.cacheError ?? ''} onRetry={() => void refreshCache()} />
          ) : c.cache ? (
            <div className="stack">
              <div className={`banner ${VERDICT_TEXT[c.cache.verdict]?.tone ?? ''} verdict`} role="status" aria-label="Cache verdict">
                <span className={`badge ${VERDICT_TEXT[c.cache.verdict]?.tone ?? ''}`}>{c.cache.verdict}</span>
                <span>{VERDICT_TEXT[c.cache.verdict]?.text}</span>
                <span style={{ flex: 1 }} />
                {c.cache.entry ? <span className="mono">TTL {ttl(c.cache.entry.ttlSeconds)}</span> : null}
                <button type="button" className="small" onClick={() => void refreshCache()}>
                  Re-inspect
                </button>
              </div>
              <CacheDifferences report={c.cache} />
              <div className="grid-2">
                <CacheColumn
                  title="Cache entry (Redis)"
                  version={c.cache.entry?.version ?? null}
                  position={c.cache.entry?.position ?? null}
                  messages={c.cache.entry?.messages ?? []}
                  differing={differing}
                  extra={
                    <>
                      <dt>TTL</dt>
                      <dd className="mono">{c.cache.entry ? ttl(c.cache.entry.ttlSeconds) : '—'}</dd>
                      <dt>Fence</dt>
                      <dd className="mono">{c.cache.fence ?? 'none'}</dd>
                      <dt>Torn</dt>
                      <dd>{c.cache.torn ? 'yes' : 'no'}</dd>
                    </>
                  }
                />
                <CacheColumn title="Log tail (source of truth)" version={c.cache.log.version} position={c.cache.log.position} messages={c.cache.log.messages} differing={differing} />
              </div>
              <JsonView value={c.cache} label="Cache report (JSON)" />
            </div>
          ) : null
        ) : null}
      </div>
      {dialog ? <ActionDialog state={dialog} onClose={() => setDialog(null)} title={info?.title ?? ''} /> : null}
    </section>
  );
}
