import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { StoredEvent } from '../../core/events/types.js';
import { useApp } from '../state/store-context.js';
import { formatHash } from '../features/ui/routes.js';
import { REPLAY_SPEEDS } from '../features/replay/replay-slice.js';
import { describeChange, playbackIntervalMs } from '../features/replay/describe-change.js';
import { selectCurrentEnvironment, selectMasked } from '../features/environments/environments-selectors.js';
import { MessageView } from '../components/MessageView.js';
import { JsonView } from '../components/JsonView.js';
import { IdChip } from '../components/CopyButton.js';
import { Empty, ErrorState, Loading } from '../components/StateView.js';
import { absoluteTime } from '../components/format.js';

const EVENT_ROW = 30;

function eventLabel(event: StoredEvent): string {
  if (event.type === 'message.appended') return `${event.data.role}: ${event.data.content.slice(0, 80)}`;
  return describeChange(event).summary;
}

function EventList({ events, version, onJump }: { events: StoredEvent[]; version: number; onJump: (v: number) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: events.length, getScrollElement: () => scroller.current, estimateSize: () => EVENT_ROW, overscan: 10 });
  const index = Math.max(0, events.findIndex((e) => e.version === version));
  useEffect(() => {
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [index, virtualizer]);
  return (
    <div
      ref={scroller}
      className="event-list"
      role="listbox"
      aria-label="Events: jump to one"
      tabIndex={0}
      aria-activedescendant={`ev-${version}`}
      onKeyDown={(e) => {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const next = events[index + (e.key === 'ArrowDown' ? 1 : -1)];
          if (next) onJump(next.version);
        }
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const event = events[item.index]!;
          const current = event.version === version;
          return (
            <div
              key={event.version}
              id={`ev-${event.version}`}
              role="option"
              aria-selected={current}
              className={`event-row${current ? ' active' : ''}${event.version > version ? ' future' : ''}`}
              style={{ transform: `translateY(${item.start}px)`, height: EVENT_ROW }}
              onClick={() => onJump(event.version)}
            >
              <span className="mono ev-version">v{event.version}</span>
              <span className={`ev-type type-${event.type.replace('.', '-')}`}>{event.type}</span>
              <span className="ev-label">{eventLabel(event)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function download(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ReplayScreen({ conversationId, version: routeVersion }: { conversationId: string; version: number | null }) {
  const environmentId = useApp((s) => s.environmentId);
  const revealed = useApp((s) => s.revealed);
  const r = useApp((s) => s.replay);
  const openReplay = useApp((s) => s.openReplay);
  const setVersion = useApp((s) => s.setReplayVersion);
  const step = useApp((s) => s.stepReplay);
  const setPlaying = useApp((s) => s.setReplayPlaying);
  const setSpeed = useApp((s) => s.setReplaySpeed);
  const exportReplay = useApp((s) => s.exportReplay);
  const importInto = useApp((s) => s.importReplayInto);
  const environments = useApp((s) => s.environments.items);
  const currentEnv = useApp(selectCurrentEnvironment);
  const masked = useApp(selectMasked);
  const targets = environments.filter((e) => e.id !== environmentId);
  const [target, setTarget] = useState('');
  const [maskOnImport, setMaskOnImport] = useState(true);
  const [jump, setJump] = useState('');
  const stateRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (environmentId !== null) void openReplay(conversationId, routeVersion);
    // The route version only seeds the first load; later moves update the URL, not the reverse.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [environmentId, conversationId, revealed, openReplay]);

  // Keep the URL shareable: it always names the version on screen.
  useEffect(() => {
    if (r.status !== 'ready' || r.conversationId !== conversationId || r.version < 1) return;
    const hash = formatHash({ name: 'replay', conversationId, version: r.version });
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }, [r.version, r.status, r.conversationId, conversationId]);

  useEffect(() => {
    if (!r.playing) return;
    const timer = setInterval(() => void step(1), playbackIntervalMs(r.speed));
    return () => clearInterval(timer);
  }, [r.playing, r.speed, step]);

  useEffect(() => {
    if (!target && targets[0]) setTarget(targets.find((t) => t.kind === 'local')?.id ?? targets[0].id);
  }, [target, targets]);

  const event = useMemo(() => r.events.find((e) => e.version === r.version) ?? null, [r.events, r.version]);
  const change = event ? describeChange(event) : null;
  const highlighted = new Set(change?.messageIds ?? []);
  const changedId = change?.messageIds[0] ?? null;

  // Each step brings what changed into view, so playing visibly moves through the conversation.
  useEffect(() => {
    const root = stateRef.current;
    if (!root || r.state === null) return;
    const target = changedId ? root.querySelector(`[data-message-id="${CSS.escape(changedId)}"]`) : null;
    if (target) target.scrollIntoView({ block: 'nearest' });
    else if (change?.titleChanged) root.scrollTo({ top: 0 });
  }, [r.version, r.state, changedId, change?.titleChanged]);

  if (r.status === 'loading' || r.status === 'idle') return <Loading label="Reading the event log…" />;
  if (r.status === 'error') return <ErrorState title="Cannot replay this conversation" message={r.error ?? ''} onRetry={() => void openReplay(conversationId, routeVersion)} />;
  if (r.head === 0) return <Empty title="Nothing to replay">This conversation has no events.</Empty>;

  const targetEnv = environments.find((e) => e.id === target);

  return (
    <section className="screen" aria-labelledby="replay-title">
      <div className="screen-header">
        <h1 id="replay-title">Replay</h1>
        <IdChip id={conversationId} label="conversation id" />
        <a href={formatHash({ name: 'conversation', conversationId, tab: 'transcript' })}>Open conversation</a>
        {masked ? <span className="badge warn">content masked</span> : null}
        <span style={{ flex: 1 }} />
        <span className="mono hint" aria-live="polite">
          version {r.version} / {r.head}
        </span>
      </div>
      <div
        className="scrubber-bar"
        onKeyDown={(e) => {
          if (e.target instanceof HTMLInputElement && e.target.type !== 'range') return;
          if (e.key === ' ') {
            e.preventDefault();
            setPlaying(!r.playing);
          }
        }}
      >
        <button type="button" onClick={() => void setVersion(1)} aria-label="First version" disabled={r.version <= 1}>
          ⇤
        </button>
        <button type="button" onClick={() => void step(-1)} aria-label="Step back" disabled={r.version <= 1}>
          ◀
        </button>
        <button type="button" className="primary play" onClick={() => setPlaying(!r.playing)} aria-label={r.playing ? 'Pause' : 'Play'}>
          {r.playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <button type="button" onClick={() => void step(1)} aria-label="Step forward" disabled={r.version >= r.head}>
          ▶
        </button>
        <button type="button" onClick={() => void setVersion(r.head)} aria-label="Last version" disabled={r.version >= r.head}>
          ⇥
        </button>
        <input
          type="range"
          className="scrubber"
          min={1}
          max={r.head}
          step={1}
          value={r.version}
          onChange={(e) => void setVersion(Number(e.target.value))}
          aria-label="Version"
          aria-valuetext={`version ${r.version} of ${r.head}`}
        />
        <label className="row hint">
          Speed
          <select value={r.speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label="Playback speed">
            {REPLAY_SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <label className="row hint">
          Jump to
          <input
            type="number"
            min={1}
            max={r.head}
            aria-label="Jump to version"
            placeholder={String(r.version)}
            value={jump}
            style={{ width: 80 }}
            onChange={(e) => setJump(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && jump !== '') {
                void setVersion(Number(jump));
                // The field empties once used; its placeholder shows the version now on screen.
                setJump('');
              }
            }}
          />
        </label>
      </div>
      <div className="replay-body">
        <aside className="replay-events">
          <h3 className="pad">Events</h3>
          <EventList events={r.events} version={r.version} onJump={(v) => void setVersion(v)} />
        </aside>
        <div className="replay-state screen-body" ref={stateRef}>
          {change ? (
            <div className={`banner change change-${change.kind}`} role="status" aria-label="What changed">
              <span className="badge info">v{r.version}</span>
              <strong>{event?.type}</strong>
              <span>{change.summary}</span>
              <span style={{ flex: 1 }} />
              <span className="hint">{absoluteTime(event?.recordedAt ?? null)}</span>
            </div>
          ) : null}
          {r.stateStatus === 'error' ? <ErrorState message={r.stateError ?? ''} /> : null}
          {r.state ? (
            <div className={`stack${r.stateStatus === 'loading' ? ' stale' : ''}`}>
              <dl className="kv state-kv">
                <dt>Title</dt>
                <dd className={change?.titleChanged ? 'changed' : undefined}>{r.state.title ?? <em className="hint">untitled</em>}</dd>
                <dt>Status</dt>
                <dd>{r.state.status}</dd>
                <dt>Messages</dt>
                <dd>{r.state.messages.length}</dd>
              </dl>
              <div className="transcript">
                {r.state.messages.length === 0 ? <Empty title="No messages at this version" /> : null}
                {r.state.messages.map((m) => (
                  <MessageView key={m.id} message={m} highlight={highlighted.has(m.id)} />
                ))}
              </div>
              {event ? <JsonView value={event} label={`Event v${event.version} (JSON)`} /> : null}
            </div>
          ) : null}
        </div>
        <aside className="replay-side">
          <div className="panel">
            <div className="panel-title">
              <h3>Export</h3>
            </div>
            <p className="hint">The whole event log as JSONL{masked ? ', content masked' : ''}.</p>
            <button
              type="button"
              onClick={() =>
                void exportReplay().then((result) => {
                  if (result) download(result.fileName, result.jsonl);
                })
              }
              disabled={r.exportStatus === 'loading'}
            >
              Export JSONL
            </button>
          </div>
          <div className="panel">
            <div className="panel-title">
              <h3>Import into another environment</h3>
            </div>
            {targets.length === 0 ? (
              <p className="hint">Add another environment to import into.</p>
            ) : (
              <div className="stack">
                <label className="field">
                  Target environment
                  <select value={target} onChange={(e) => setTarget(e.target.value)}>
                    {targets.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name} ({t.kind}){t.readOnly ? ' — read-only' : ''}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="check">
                  <input type="checkbox" checked={maskOnImport} onChange={(e) => setMaskOnImport(e.target.checked)} />
                  Mask message content
                </label>
                {!maskOnImport && currentEnv?.kind === 'production' ? (
                  <span className="readonly-note">Production content will be copied in clear.</span>
                ) : null}
                <button type="button" disabled={!targetEnv || targetEnv.readOnly} onClick={() => void importInto(target, maskOnImport)}>
                  Import copy
                </button>
                {targetEnv?.readOnly ? <span className="readonly-note">{targetEnv.name} is read-only.</span> : null}
                {r.importResult ? (
                  <div className="banner ok" role="status">
                    Imported {r.importResult.events} events{r.importResult.masked ? ' (masked)' : ''}.{' '}
                    <span className="mono">{r.importResult.conversationId}</span>
                  </div>
                ) : null}
                {r.importError ? (
                  <div className="banner danger" role="alert">
                    {r.importError}
                  </div>
                ) : null}
              </div>
            )}
          </div>
          <p className="hint pad">←/→ on the scrubber step · Space plays/pauses.</p>
        </aside>
      </div>
    </section>
  );
}
