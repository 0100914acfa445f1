import type { JsonValue, MessagePart } from '../../core/events/types.js';
import { Markdown } from './Markdown.js';

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function json(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null, null, 2);
}

/** A tool part as the AI SDK stores it (`tool-<name>`, `dynamic-tool`) or a generic tool call/result. */
function toolOf(part: MessagePart): { name: string; id: string | null; input: JsonValue | undefined; output: JsonValue | undefined; state: string | null } | null {
  const isTool = part.type.startsWith('tool-') || part.type === 'dynamic-tool' || part.type === 'tool-call' || part.type === 'tool-result';
  if (!isTool) return null;
  const name = text(part.toolName) ?? (part.type.startsWith('tool-') && part.type !== 'tool-call' && part.type !== 'tool-result' ? part.type.slice(5) : 'tool');
  return {
    name,
    id: text(part.toolCallId) ?? text(part.id),
    input: part.input ?? part.args,
    output: part.output ?? part.result ?? part.errorText,
    state: text(part.state),
  };
}

/**
 * A message's parts, each as what it is: text as Markdown, reasoning and data folded away, tool
 * calls with their input and output, files as a reference (never loaded: content is hostile
 * data, and a URL may point anywhere), step boundaries as a rule.
 */
export function MessageParts({ parts }: { parts: MessagePart[] }) {
  return (
    <div className="message-parts">
      {parts.map((part, i) => {
        const key = `${i}-${part.type}`;
        if (part.type === 'text') return <div key={key} className="message-content"><Markdown text={text(part.text) ?? ''} /></div>;
        if (part.type === 'reasoning') {
          return (
            <details key={key} className="part-reasoning">
              <summary><span className="badge">reasoning</span></summary>
              <Markdown text={text(part.text) ?? ''} />
            </details>
          );
        }
        if (part.type === 'step-start') return <hr key={key} className="part-step" aria-label="step" />;
        if (part.type === 'file') {
          const url = text(part.url);
          const label = text(part.filename) ?? text(part.mediaType) ?? 'file';
          return (
            <p key={key} className="part-file">
              <span className="badge info">file</span> <code>{label}</code>
              {text(part.mediaType) ? <span className="hint"> {text(part.mediaType)}</span> : null}
              {url !== null && /^https?:\/\//i.test(url) ? <span className="hint"> {url}</span> : url !== null ? <span className="hint"> (inline data, {url.length.toLocaleString('en')} characters)</span> : null}
            </p>
          );
        }
        const tool = toolOf(part);
        if (tool !== null) {
          return (
            <details key={key} className="tool-call">
              <summary>
                <span className="badge warn">tool call</span> <code>{tool.name}</code>
                {tool.id ? <span className="hint"> {tool.id}</span> : null}
                {tool.state ? <span className="hint"> · {tool.state}</span> : null}
              </summary>
              {tool.input !== undefined ? <pre className="json" aria-label="tool input">{json(tool.input)}</pre> : null}
              {tool.output !== undefined ? <pre className="json" aria-label="tool output">{json(tool.output)}</pre> : null}
            </details>
          );
        }
        return (
          <details key={key} className="part-data">
            <summary><span className="badge">{part.type}</span></summary>
            <pre className="json">{JSON.stringify(part, null, 2)}</pre>
          </details>
        );
      })}
    </div>
  );
}
