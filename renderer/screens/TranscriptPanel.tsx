import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '../../core/events/types.js';
import { MessageView } from '../components/MessageView.js';

function scrollToVersion(root: HTMLElement | null, version: number, block: ScrollLogicalPosition = 'center'): void {
  root?.querySelector(`[data-version="${version}"]`)?.scrollIntoView({ block });
}

/** The message shown for "go to version": the one at that version, else the newest before it. */
export function messageAtOrBefore(messages: readonly Message[], version: number): Message | null {
  let found: Message | null = null;
  for (const message of messages) {
    if (message.version > version) break;
    found = message;
  }
  return found;
}

/** One message with its redact button; memoised so a re-render of the screen leaves the rows alone. */
const TranscriptMessage = memo(function TranscriptMessage({
  message,
  focused,
  match,
  onRedact,
}: {
  message: Message;
  focused: boolean;
  match: boolean;
  onRedact: ((message: Message) => void) | null;
}) {
  return (
    <MessageView
      message={message}
      highlight={focused}
      match={match}
      actions={
        onRedact && !message.redacted ? (
          <button type="button" className="ghost small" onClick={() => onRedact(message)} aria-label={`Redact message version ${message.version}`}>
            Redact
          </button>
        ) : null
      }
    />
  );
});

/**
 * The transcript with find (next/previous match), go to version and jumps to the oldest and
 * newest message. Opens at the newest message, as a chat does.
 */
export const TranscriptPanel = memo(function TranscriptPanel({
  conversationId,
  messages,
  onRedact,
}: {
  conversationId: string;
  messages: Message[];
  /** null when the conversation takes no writes. */
  onRedact: ((message: Message) => void) | null;
}) {
  const root = useRef<HTMLDivElement>(null);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const [target, setTarget] = useState('');
  const [focused, setFocused] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const needle = query.trim().toLowerCase();
  const matches = useMemo(() => (needle === '' ? [] : messages.filter((m) => m.content.toLowerCase().includes(needle)).map((m) => m.version)), [messages, needle]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const last = messages.at(-1)?.version ?? 0;

  useEffect(() => {
    // A new conversation opens at its newest message.
    const newest = messages.at(-1);
    if (newest) requestAnimationFrame(() => scrollToVersion(root.current, newest.version, 'end'));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId]);

  const show = (version: number, text: string) => {
    setFocused(version);
    setNote(text);
    scrollToVersion(root.current, version);
  };
  const step = (by: number) => {
    if (matches.length === 0) return;
    const next = (current + by + matches.length) % matches.length;
    setCurrent(next);
    show(matches[next]!, `Match ${next + 1} of ${matches.length}: v${matches[next]}`);
  };
  const go = () => {
    const version = Number(target);
    if (!Number.isInteger(version) || version < 1) {
      setNote('Enter a version number (1 or more).');
      return;
    }
    const message = messageAtOrBefore(messages, version);
    if (!message) {
      setNote(`No message at or before v${version}.`);
      return;
    }
    show(message.version, message.version === version ? `v${version}` : version > last ? `v${version} is past the head: showing the newest message, v${message.version}` : `No message at v${version} (another event): showing v${message.version}`);
  };

  return (
    <div className="transcript-wrap">
      <div className="transcript-tools row" role="search" aria-label="Transcript tools">
        <input
          type="search"
          aria-label="Find in conversation"
          placeholder="Find in conversation"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCurrent(-1);
            setNote('');
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              step(e.shiftKey ? -1 : 1);
            }
          }}
        />
        <span className="hint find-count">{needle === '' ? '' : matches.length === 0 ? 'no match' : `${current < 0 ? 0 : current + 1} of ${matches.length}`}</span>
        <button type="button" className="small" disabled={matches.length === 0} onClick={() => step(-1)} aria-label="Previous match">
          ↑
        </button>
        <button type="button" className="small" disabled={matches.length === 0} onClick={() => step(1)} aria-label="Next match">
          ↓
        </button>
        <span className="divider" aria-hidden="true" />
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            go();
          }}
        >
          <input type="number" min={1} max={last} aria-label="Go to version" placeholder="version" value={target} onChange={(e) => setTarget(e.target.value)} style={{ width: 90 }} />
          <button type="submit" className="small">
            Go
          </button>
        </form>
        <span style={{ flex: 1 }} />
        <button type="button" className="small" onClick={() => messages[0] && show(messages[0].version, 'Oldest message')}>
          Oldest
        </button>
        <button type="button" className="small" onClick={() => messages.at(-1) && show(last, 'Newest message')}>
          Jump to latest
        </button>
      </div>
      <p className="sr-only" role="status" aria-live="polite">
        {note}
      </p>
      {note ? <p className="hint transcript-note">{note}</p> : null}
      <div className="transcript" ref={root}>
        {messages.map((m) => (
          <TranscriptMessage key={m.id} message={m} focused={m.version === focused} match={matchSet.has(m.version)} onRedact={onRedact} />
        ))}
      </div>
    </div>
  );
});
