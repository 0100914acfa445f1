import { useMemo, useState } from 'react';
import { EVENT_TYPES, type EventType, type StoredEvent } from '../../core/events/types.js';
import { CopyButton } from '../components/CopyButton.js';
import { absoluteTime } from '../components/format.js';

function summaryOf(event: StoredEvent): string {
  switch (event.type) {
    case 'message.appended':
      return `${event.data.role}: ${event.data.content.slice(0, 120)}`;
    case 'message.redacted':
      return `${event.data.mode} ${event.data.messageId} — ${event.data.reason}`;
    case 'conversation.renamed':
      return event.data.title;
    case 'conversation.started':
      return event.data.userId ? `user ${event.data.userId}` : 'no user';
    case 'conversation.deleted':
      return 'soft delete';
    case 'message.revised':
      return `revised ${event.data.messageId}: ${event.data.content.slice(0, 120)}`;
    case 'message.retracted':
      return `retracted ${event.data.messageId}`;
    case 'conversation.metadata-set':
      return [...Object.keys(event.data.set).map((key) => `set ${key}`), ...event.data.unset.map((key) => `unset ${key}`)].join(', ');
  }
}

/** The log's events as one collapsible row each, filtered by type; JSON only for rows opened. */
export function EventsPanel({ events, head, onLoadMore }: { events: StoredEvent[]; head: number; onLoadMore: () => void }) {
  const [type, setType] = useState<EventType | 'all'>('all');
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const counts = useMemo(() => {
    const byType = new Map<EventType, number>();
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    return byType;
  }, [events]);
  const shown = useMemo(() => (type === 'all' ? events : events.filter((e) => e.type === type)), [events, type]);
  const loaded = events.at(-1)?.version ?? 0;
  const toggle = (version: number, isOpen: boolean) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (isOpen) next.add(version);
      else next.delete(version);
      return next;
    });
  return (
    <div className="stack">
      <div className="row events-toolbar">
        <label className="row hint">
          Event type
          <select value={type} onChange={(e) => setType(e.target.value as EventType | 'all')} aria-label="Filter events by type">
            <option value="all">All types ({events.length})</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t} disabled={!counts.has(t)}>
                {t} ({counts.get(t) ?? 0})
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="small ghost" onClick={() => setOpen(new Set(shown.map((e) => e.version)))}>
          Expand all
        </button>
        <button type="button" className="small ghost" onClick={() => setOpen(new Set())}>
          Collapse all
        </button>
        <span style={{ flex: 1 }} />
        <span className="hint">
          {shown.length === events.length ? `${events.length} events` : `${shown.length} of ${events.length} loaded events`} · loaded 1–{loaded} of {head}
        </span>
        <CopyButton text={JSON.stringify(shown, null, 2)} label="Copy shown events as JSON" />
      </div>
      <ol className="raw-events" aria-label={`Events 1–${loaded} of ${head}`}>
        {shown.map((event) => (
          <li key={event.version}>
            <details open={open.has(event.version)} onToggle={(e) => toggle(event.version, e.currentTarget.open)}>
              <summary className="raw-event">
                <span className="mono hint">v{event.version}</span>
                <span className="mono hint">#{event.position}</span>
                <span className={`ev-type type-${event.type.replace('.', '-')}`}>{event.type}</span>
                <span className="event-summary">{summaryOf(event)}</span>
                <span className="mono hint" title={absoluteTime(event.recordedAt)}>
                  {absoluteTime(event.recordedAt)}
                </span>
              </summary>
              {open.has(event.version) ? <pre className="json">{JSON.stringify(event, null, 2)}</pre> : null}
            </details>
          </li>
        ))}
      </ol>
      {shown.length === 0 ? <p className="hint">No {type} events among the loaded ones.</p> : null}
      {loaded < head ? (
        <button type="button" onClick={onLoadMore}>
          Load more events
        </button>
      ) : null}
    </div>
  );
}
