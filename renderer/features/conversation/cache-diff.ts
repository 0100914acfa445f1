import type { Message } from '../../../core/events/types.js';
import type { CacheEntryReport } from '../../../core/store/types.js';

export interface FieldDiff {
  field: string;
  /** The value as text; null when the message is absent on that side. */
  cached: string | null;
  logged: string | null;
}

export interface MessageDiff {
  version: number;
  messageId: string;
  missingFrom: 'cache' | 'log' | null;
  fields: FieldDiff[];
}

function textOf(message: Message | undefined, field: string): string | null {
  if (message === undefined) return null;
  const value = (message as unknown as Record<string, unknown>)[field];
  if (value === undefined) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** Pairs each reported difference with the values on both sides, for a field-by-field view. */
export function cacheDiffs(report: CacheEntryReport): MessageDiff[] {
  const cached = new Map((report.entry?.messages ?? []).map((m) => [m.version, m]));
  const logged = new Map(report.log.messages.map((m) => [m.version, m]));
  return report.differences.map((d) => ({
    version: d.version,
    messageId: d.messageId,
    missingFrom: d.missingFrom ?? null,
    fields: d.fields.map((field) => ({ field, cached: textOf(cached.get(d.version), field), logged: textOf(logged.get(d.version), field) })),
  }));
}
