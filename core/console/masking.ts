/**
 * Production content masking, applied server-side so unrevealed content never reaches the
 * renderer. Content, titles and redaction reasons become a placeholder that keeps only their
 * length; metadata keeps the few top-level fields a developer debugs with (model, tokens,
 * latency, tool names) and masks every other string, however deeply nested.
 *
 * The walk is iterative and depth-bounded (hostile input must not exhaust the call stack), and
 * copies keys with defineProperty so a `__proto__` key stays plain data exactly as it does when
 * nothing is masked.
 */
import type { ConversationInfo, ConversationState, EventMetadata, JsonObject, JsonValue, Message, MessagePart, StoredEvent } from '../events/types.js';
import type { CacheEntryReport } from '../store/types.js';

/** Metadata keys whose string values are operational, not content (top level and tool-call entries only). */
const KEPT_KEYS = new Set(['model', 'provider', 'finishReason', 'finish_reason', 'name', 'type', 'id', 'toolCallId', 'tool_call_id', 'role', 'status']);
/** Lists whose entries describe tool calls: their `name`/`id`/`type` are kept too. */
const TOOL_LISTS = new Set(['toolCalls', 'tool_calls', 'tools']);
/** Event metadata fields that are ids, not content. */
const EVENT_ID_KEYS = new Set(['userId', 'requestId', 'correlationId', 'causationId']);
/** Deeper subtrees are replaced whole: nothing legitimate nests this far. */
export const MAX_MASK_DEPTH = 64;
const TOO_DEEP = '[masked · nested too deeply]';

export function maskText(text: string): string {
  if (text.length === 0) return text;
  return `[masked · ${[...text].length} chars]`;
}

function maskTitle(title: string | null): string | null {
  return title === null ? null : maskText(title);
}

/** Sets an own, enumerable property: `__proto__` included, never the prototype. */
function put(target: JsonObject | JsonValue[], key: string | number, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

interface Frame {
  from: JsonObject | JsonValue[];
  to: JsonObject | JsonValue[];
  depth: number;
  /** Which keys keep their string values in this container. */
  kept: ReadonlySet<string>;
  /** For arrays: the key the array sits under (its entries inherit it). */
  key: string | undefined;
  /** This container is a tool-call list: its object entries keep KEPT_KEYS. */
  toolList: boolean;
}

const NOTHING: ReadonlySet<string> = new Set();

function maskTree(root: JsonObject, kept: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  const stack: Frame[] = [{ from: root, to: out, depth: 1, kept, key: undefined, toolList: false }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { from, to, depth } = frame;
    const entries: Array<[string | number, JsonValue, string | undefined]> = Array.isArray(from)
      ? from.map((v, i) => [i, v, frame.key])
      : Object.keys(from).map((k) => [k, from[k] as JsonValue, k]);
    for (const [slot, value, key] of entries) {
      if (typeof value === 'string') {
        put(to, slot, key !== undefined && frame.kept.has(key) ? value : maskText(value));
      } else if (value !== null && typeof value === 'object') {
        if (depth >= MAX_MASK_DEPTH) {
          put(to, slot, TOO_DEEP);
          continue;
        }
        const copy: JsonObject | JsonValue[] = Array.isArray(value) ? [] : {};
        put(to, slot, copy);
        const isArray = Array.isArray(from);
        // Arrays pass their keep rule to their entries; a tool-call list's objects keep KEPT_KEYS.
        const childKept = Array.isArray(value) ? frame.kept : isArray && frame.toolList ? KEPT_KEYS : NOTHING;
        stack.push({
          from: value,
          to: copy,
          depth: depth + 1,
          kept: childKept,
          key: Array.isArray(value) ? key : undefined,
          toolList: Array.isArray(value) && !isArray && key !== undefined && TOOL_LISTS.has(key) && depth === 1,
        });
      } else {
        put(to, slot, value);
      }
    }
  }
  return out;
}

export function maskObject(value: JsonObject): JsonObject {
  return maskTree(value, KEPT_KEYS);
}

export function maskEventMetadata(metadata: EventMetadata): EventMetadata {
  return maskTree(metadata as JsonObject, EVENT_ID_KEYS) as EventMetadata;
}

/** Parts keep their `type` (and tool names and ids); their text, files and data are masked. */
export function maskParts(parts: MessagePart[]): MessagePart[] {
  return parts.map((part) => maskObject(part) as MessagePart);
}

export function maskMessage<M extends Pick<Message, 'content' | 'metadata'> & { parts?: MessagePart[] }>(message: M): M {
  return {
    ...message,
    content: maskText(message.content),
    metadata: maskObject(message.metadata),
    ...(message.parts !== undefined ? { parts: maskParts(message.parts) } : {}),
  };
}

export function maskEvent(event: StoredEvent): StoredEvent {
  const metadata = maskEventMetadata(event.metadata);
  switch (event.type) {
    case 'message.appended':
    case 'message.revised': {
      const data = event.data;
      return {
        ...event,
        metadata,
        data: {
          ...data,
          content: maskText(data.content),
          ...(data.metadata !== undefined ? { metadata: maskObject(data.metadata) } : {}),
          ...(data.parts !== undefined ? { parts: maskParts(data.parts) } : {}),
        },
      } as StoredEvent;
    }
    case 'conversation.metadata-set':
      return { ...event, metadata, data: { ...event.data, set: maskObject(event.data.set) } };
    case 'message.redacted':
      return { ...event, metadata, data: { ...event.data, reason: maskText(event.data.reason) } };
    case 'conversation.renamed':
      return { ...event, metadata, data: { ...event.data, title: maskText(event.data.title) } };
    default:
      return { ...event, metadata };
  }
}

export function maskConversation<T extends ConversationInfo>(info: T): T {
  return { ...info, title: maskTitle(info.title), preview: maskText(info.preview), metadata: maskObject(info.metadata) };
}

export function maskState(state: ConversationState): ConversationState {
  return { ...state, title: maskTitle(state.title), messages: state.messages.map(maskMessage) };
}

export function maskCacheReport(report: CacheEntryReport): CacheEntryReport {
  return {
    ...report,
    entry: report.entry === null ? null : { ...report.entry, messages: report.entry.messages.map(maskMessage) },
    log: { ...report.log, messages: report.log.messages.map(maskMessage) },
  };
}
