/**
 * Production content masking, applied server-side so unrevealed content never reaches the
 * renderer. Content becomes a placeholder that keeps only its length; metadata keeps the fields a
 * developer debugs with (model, tokens, latency, tool names) and masks every other string.
 */
import type { ConversationInfo, ConversationState, JsonObject, JsonValue, Message, StoredEvent } from '../events/types.js';
import type { CacheEntryReport } from '../store/types.js';

/** Metadata keys whose string values are operational, not content. */
const KEPT_KEYS = new Set(['model', 'provider', 'finishReason', 'finish_reason', 'name', 'type', 'id', 'toolCallId', 'tool_call_id', 'role', 'status']);

export function maskText(text: string): string {
  if (text.length === 0) return text;
  return `[masked · ${[...text].length} chars]`;
}

export function maskJson(value: JsonValue, key?: string): JsonValue {
  if (typeof value === 'string') return key !== undefined && KEPT_KEYS.has(key) ? value : maskText(value);
  if (Array.isArray(value)) return value.map((item) => maskJson(item, key));
  if (value !== null && typeof value === 'object') return maskObject(value);
  return value;
}

export function maskObject(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskJson(v, k);
  return out;
}

export function maskMessage<M extends Pick<Message, 'content' | 'metadata'>>(message: M): M {
  return { ...message, content: maskText(message.content), metadata: maskObject(message.metadata) };
}

export function maskEvent(event: StoredEvent): StoredEvent {
  if (event.type !== 'message.appended') return event;
  return { ...event, data: { ...event.data, content: maskText(event.data.content), metadata: maskObject(event.data.metadata) } };
}

export function maskConversation<T extends ConversationInfo>(info: T): T {
  return { ...info, preview: maskText(info.preview) };
}

export function maskState(state: ConversationState): ConversationState {
  return { ...state, messages: state.messages.map(maskMessage) };
}

export function maskCacheReport(report: CacheEntryReport): CacheEntryReport {
  return {
    ...report,
    entry: report.entry === null ? null : { ...report.entry, messages: report.entry.messages.map(maskMessage) },
    log: { ...report.log, messages: report.log.messages.map(maskMessage) },
  };
}
