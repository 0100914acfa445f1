import { memo, useState } from 'react';
import type { JsonObject, JsonValue, TailMessage } from '../../core/events/types.js';
import { CopyButton } from './CopyButton.js';
import { Markdown } from './Markdown.js';
import { MessageParts } from './MessageParts.js';
import { absoluteTime, ms } from './format.js';

/** Past this many characters a message is cut behind "Show full": huge pastes must not freeze the view. */
const PREVIEW_CHARS = 3000;

interface ToolCall {
  name: string;
  args: JsonValue | undefined;
  id: string | undefined;
}

function asObject(value: JsonValue | undefined): JsonObject | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

export function toolCallsOf(metadata: JsonObject): ToolCall[] {
  const raw = metadata.toolCalls ?? metadata.tool_calls;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry) => {
    const call = asObject(entry);
    if (!call) return [];
    const fn = asObject(call.function);
    const name = typeof call.name === 'string' ? call.name : typeof fn?.name === 'string' ? fn.name : 'tool';
    return [{ name, args: call.arguments ?? call.args ?? fn?.arguments ?? call.input, id: typeof call.id === 'string' ? call.id : undefined }];
  });
}

function tokenText(tokens: JsonValue | undefined): string | null {
  if (typeof tokens === 'number') return `${tokens} tok`;
  const t = asObject(tokens);
  if (!t) return null;
  const input = t.prompt ?? t.input ?? t.in;
  const output = t.completion ?? t.output ?? t.out;
  const total = t.total;
  if (typeof input === 'number' && typeof output === 'number') return `${input}→${output} tok`;
  if (typeof total === 'number') return `${total} tok`;
  return null;
}

export const MessageView = memo(function MessageView({
  message,
  highlight = false,
  match = false,
  actions,
}: {
  message: TailMessage;
  highlight?: boolean;
  /** Holds the transcript's find text. */
  match?: boolean;
  actions?: React.ReactNode;
}) {
  const [full, setFull] = useState(false);
  const meta = message.metadata;
  // Messages with parts show them (text, tool calls, reasoning, files); content is their text.
  const parts = 'parts' in message ? message.parts : undefined;
  const tools = toolCallsOf(meta);
  const long = message.content.length > PREVIEW_CHARS;
  const text = long && !full ? `${message.content.slice(0, PREVIEW_CHARS)}…` : message.content;
  const model = typeof meta.model === 'string' ? meta.model : null;
  const latency = typeof meta.latencyMs === 'number' ? meta.latencyMs : null;
  const tokens = tokenText(meta.tokens ?? meta.usage);
  const toolName = typeof meta.toolName === 'string' ? meta.toolName : typeof meta.name === 'string' ? meta.name : null;

  return (
    <article
      className={`message role-${message.role}${highlight ? ' highlight' : ''}${match ? ' match' : ''}${message.redacted ? ' redacted' : ''}`}
      aria-label={`${message.role} message, ${message.version === null ? 'queued offline' : `version ${message.version}`}`}
      data-message-id={message.id}
      data-version={message.version}
    >
      <header className="message-head">
        <span className="role-label">{message.role}</span>
        {toolName && message.role === 'tool' ? <span className="badge">{toolName}</span> : null}
        {model ? <span className="badge info" title="model">{model}</span> : null}
        {tokens ? <span className="badge" title="tokens">{tokens}</span> : null}
        {latency !== null ? <span className="badge" title="latency">{ms(latency)}</span> : null}
        {message.redacted ? <span className="badge danger">redacted</span> : null}
        <span className="message-meta" title={absoluteTime(message.createdAt)}>
          {message.version === null ? 'queued' : `v${message.version}`} · {absoluteTime(message.createdAt)}
        </span>
        <span className="message-actions">
          <CopyButton text={message.id} label={`Copy message id ${message.id}`} />
          {actions}
        </span>
      </header>
      {/* Content is hostile data: Markdown tokens become React elements, never HTML. */}
      {parts !== undefined && parts.length > 0 && !message.redacted ? (
        <MessageParts parts={parts} />
      ) : (
        <div className="message-content">{message.redacted && message.content === '' ? <em className="hint">content removed</em> : <Markdown text={text} />}</div>
      )}
      {long && parts === undefined ? (
        <button type="button" className="ghost small" onClick={() => setFull(!full)}>
          {full ? 'Show less' : `Show full (${message.content.length.toLocaleString('en')} characters)`}
        </button>
      ) : null}
      {tools.length > 0 ? (
        <div className="tool-calls">
          {tools.map((tool, i) => (
            <details key={tool.id ?? i} className="tool-call">
              <summary>
                <span className="badge warn">tool call</span> <code>{tool.name}</code>
                {tool.id ? <span className="hint"> {tool.id}</span> : null}
              </summary>
              <pre className="json">{typeof tool.args === 'string' ? tool.args : JSON.stringify(tool.args, null, 2)}</pre>
            </details>
          ))}
        </div>
      ) : null}
    </article>
  );
});
