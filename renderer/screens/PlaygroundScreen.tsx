import { useEffect, useRef, useState } from 'react';
import type { PlaygroundTurn } from '../api/contract.js';
import { useApp } from '../state/store-context.js';
import { formatHash } from '../features/ui/routes.js';
import { selectReadOnlyReason } from '../features/environments/environments-selectors.js';
import { MessageView } from '../components/MessageView.js';
import { IdChip } from '../components/CopyButton.js';
import { Empty } from '../components/StateView.js';
import { ms } from '../components/format.js';
import { responderProblem } from '../features/playground/playground-slice.js';

const SOURCE_LABEL = { l1: 'L1 (in-process)', redis: 'Redis', log: 'Log', outbox: 'Outbox (queued only)' } as const;

function TurnTimings({ turn }: { turn: PlaygroundTurn }) {
  const t = turn.timings;
  const total = Math.max(t.totalMs, 0.001);
  const parts = [
    { key: 'history', label: 'history', value: t.historyMs },
    { key: 'responder', label: turn.responder === 'openai' ? 'model' : 'responder', value: t.responderMs },
    { key: 'append', label: 'append', value: t.appendMs },
  ];
  return (
    <div className="turn-timings" aria-label="Turn timings">
      <span className={`badge source-${turn.history.source}`} title="Where the history came from">
        history from {SOURCE_LABEL[turn.history.source]}
      </span>
      <span className="hint">
        {turn.history.count} msgs in {ms(turn.history.ms)}
      </span>
      <div className="timing-bar" role="img" aria-label={parts.map((p) => `${p.label} ${ms(p.value)}`).join(', ')}>
        {parts.map((p) => (
          <span key={p.key} className={`seg seg-${p.key}`} style={{ width: `${Math.max(2, (p.value / total) * 100)}%` }} />
        ))}
      </div>
      <span className="hint">
        {parts.map((p) => `${p.label} ${ms(p.value)}`).join(' · ')} · total {ms(t.totalMs)}
      </span>
    </div>
  );
}

export function PlaygroundScreen({ conversationId }: { conversationId: string | null }) {
  const environmentId = useApp((s) => s.environmentId);
  const p = useApp((s) => s.playground);
  const openPlayground = useApp((s) => s.openPlayground);
  const setResponder = useApp((s) => s.setResponder);
  const send = useApp((s) => s.sendPlayground);
  const cancel = useApp((s) => s.cancelPlayground);
  const readOnly = useApp(selectReadOnlyReason);
  const [draft, setDraft] = useState('');
  const [existingId, setExistingId] = useState(conversationId ?? '');
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (environmentId !== null && p.conversationId !== conversationId) void openPlayground(conversationId);
    // Only a route change opens a conversation; sends update the slice's id themselves.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [environmentId, conversationId]);

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [p.turns.length, p.earlier.length]);

  const submit = async () => {
    const content = draft;
    if (!content.trim()) return;
    setDraft('');
    const ok = await send(content);
    if (!ok) setDraft(content);
  };

  const responder = p.responder;
  const problem = responderProblem(responder);

  return (
    <section className="screen" aria-labelledby="playground-title">
      <div className="screen-header">
        <h1 id="playground-title">Playground</h1>
        {p.conversationId ? <IdChip id={p.conversationId} label="playground conversation id" /> : <span className="sub">new conversation</span>}
        {p.conversationId ? (
          <a href={formatHash({ name: 'conversation', conversationId: p.conversationId, tab: 'transcript' })}>Inspect</a>
        ) : null}
        <span style={{ flex: 1 }} />
        <button
          type="button"
          onClick={() => {
            if (conversationId === null) void openPlayground(null);
            else location.hash = formatHash({ name: 'playground', conversationId: null });
          }}
        >
          New conversation
        </button>
      </div>
      <div className="playground">
        <div className="chat">
          <div className="chat-scroll" aria-label="Chat" role="log">
            {p.earlier.length === 0 && p.turns.length === 0 ? (
              <Empty title="Say something">
                Each turn reads the history through the store (L1 → Redis → log), asks the responder, and appends both messages.
              </Empty>
            ) : null}
            {p.earlier.length > 0 ? <div className="hint earlier-note">Earlier messages ({p.earlier.length})</div> : null}
            {p.earlier.map((m) => (
              <MessageView key={m.id} message={m} />
            ))}
            {p.turns.map((turn) => (
              <div key={turn.user.id} className="turn">
                <MessageView message={turn.user} />
                <MessageView message={turn.assistant} />
                <TurnTimings turn={turn} />
              </div>
            ))}
            <div ref={bottom} />
          </div>
          {p.error ? (
            <div className="banner danger chat-error" role="alert">
              {p.error}
            </div>
          ) : null}
          <form
            className="composer"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <textarea
              aria-label="Message"
              placeholder={readOnly ? readOnly : 'Write a message… (Enter to send, Shift+Enter for a new line)'}
              value={draft}
              disabled={!!readOnly}
              rows={3}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void submit();
                }
              }}
            />
            {p.sending ? (
              <div className="stack composer-sending">
                <span className="hint" role="status">
                  Sending…
                </span>
                <button type="button" className="danger" onClick={cancel}>
                  Cancel
                </button>
              </div>
            ) : (
              <button type="submit" className="primary" disabled={!!readOnly || !draft.trim()}>
                Send
              </button>
            )}
          </form>
        </div>
        <aside className="playground-side">
          <div className="panel">
            <div className="panel-title">
              <h3>Responder</h3>
            </div>
            <div className="stack">
              <label className="check">
                <input type="radio" name="responder" checked={responder.kind === 'scripted'} onChange={() => setResponder({ kind: 'scripted' })} />
                Scripted (local, offline)
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="responder"
                  checked={responder.kind === 'openai'}
                  onChange={() => setResponder({ kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: '', apiKey: '' })}
                />
                OpenAI-compatible endpoint
              </label>
              {responder.kind === 'openai' ? (
                <>
                  <label className="field">
                    Base URL
                    <input type="url" className="mono" value={responder.baseUrl} onChange={(e) => setResponder({ ...responder, baseUrl: e.target.value })} />
                  </label>
                  <label className="field">
                    Model
                    <input type="text" className="mono" value={responder.model} placeholder="e.g. llama3.1" onChange={(e) => setResponder({ ...responder, model: e.target.value })} />
                  </label>
                  <label className="field">
                    API key (kept in memory, sent per request, never saved)
                    <input type="password" value={responder.apiKey} autoComplete="off" onChange={(e) => setResponder({ ...responder, apiKey: e.target.value })} />
                  </label>
                  {problem ? <span className="field-error">{problem}</span> : null}
                  <span className="hint">The console server calls the endpoint; this page never does.</span>
                </>
              ) : null}
            </div>
          </div>
          <div className="panel">
            <div className="panel-title">
              <h3>Conversation</h3>
            </div>
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                const id = existingId.trim();
                if (id) location.hash = formatHash({ name: 'playground', conversationId: id });
              }}
            >
              <label className="field">
                Continue an existing conversation
                <input type="text" className="mono" value={existingId} placeholder="conversation id" onChange={(e) => setExistingId(e.target.value)} />
              </label>
              <button type="submit" disabled={!existingId.trim()}>
                Open
              </button>
            </form>
          </div>
          {readOnly ? <p className="readonly-note">{readOnly}</p> : null}
        </aside>
      </div>
    </section>
  );
}
