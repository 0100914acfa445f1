/**
 * What the append functions return, turned into the log's results: scrollback_append's one row,
 * and scrollback_append_batch's row per entry (whose failures arrive as SQLSTATE and DETAIL in
 * the row, and become the same errors scrollback_append's exceptions do).
 */
import type { LogAppendRequest, LogAppendResult } from '../log.js';
import type { Message } from '../../events/types.js';
import type { Settled } from './group-commit.js';
import { mapPgError } from './pg-errors.js';
import { toMessage, toPosition, type MessageData } from './rows.js';

interface StoredMessage {
  id: string;
  version: number;
  data: MessageData;
  recordedAtMs: number;
}

export interface AppendRow {
  o_outcome: 'appended' | 'already_appended';
  o_created: boolean;
  o_previous_version: number;
  o_version: number;
  o_position: string;
  o_recorded_at: Date;
  o_stored: StoredMessage[] | null;
}

export type AppendBatchRow =
  | (AppendRow & { o_entry: number; o_sqlstate: null; o_detail: null })
  | {
      o_entry: number;
      o_outcome: 'failed';
      o_sqlstate: string;
      o_detail: string | null;
    };

export function toAppendResult(request: LogAppendRequest, row: AppendRow): LogAppendResult {
  const { conversationId, messages } = request;
  const result = {
    version: row.o_version,
    position: toPosition(row.o_position),
    outcome: row.o_outcome,
    previousVersion: row.o_previous_version,
    created: row.o_created,
  };
  if (row.o_outcome === 'already_appended') {
    const stored = row.o_stored ?? [];
    return { ...result, messages: stored.map((s) => toMessage(conversationId, s.id, s.version, s.data, new Date(s.recordedAtMs).toISOString())) };
  }
  const firstVersion = row.o_version - messages.length + 1;
  const createdAt = row.o_recorded_at.toISOString();
  return {
    ...result,
    messages: messages.map(
      (m, i): Message => ({
        id: m.id,
        conversationId,
        version: firstVersion + i,
        role: m.role,
        content: m.content,
        ...(m.parts !== undefined ? { parts: m.parts } : {}),
        createdAt,
        metadata: m.metadata,
        redacted: false,
      }),
    ),
  };
}

const FAILURE_MESSAGES: Record<string, string> = {
  SBV01: 'version conflict',
  SBI01: 'message id already stored with other content',
  SBD01: 'conversation is deleted',
};

/** One outcome per request, in request order (rows carry their 1-based entry). */
export function toBatchOutcomes(requests: LogAppendRequest[], rows: AppendBatchRow[]): Array<Settled<LogAppendResult>> {
  const outcomes: Array<Settled<LogAppendResult> | undefined> = Array.from({ length: requests.length });
  for (const row of rows) {
    const request = requests[row.o_entry - 1];
    if (request === undefined) throw new Error(`scrollback_append_batch returned an unknown entry ${row.o_entry}`);
    if (row.o_outcome === 'failed') {
      // Shaped like the server error scrollback_append raises, so it maps to the same error.
      const raised = Object.assign(new Error(FAILURE_MESSAGES[row.o_sqlstate] ?? row.o_sqlstate), {
        code: row.o_sqlstate,
        severity: 'ERROR',
        detail: row.o_detail ?? '',
      });
      outcomes[row.o_entry - 1] = {
        ok: false,
        error: mapPgError(raised, { conversationId: request.conversationId, expectedVersion: request.expectedVersion }),
      };
    } else {
      outcomes[row.o_entry - 1] = { ok: true, value: toAppendResult(request, row) };
    }
  }
  return outcomes.map((o, i) => o ?? { ok: false, error: new Error(`scrollback_append_batch returned no row for entry ${i + 1}`) });
}

/** scrollback_append_batch's parameters: entries side by side, their messages flat in entry order. */
export function batchParams(requests: LogAppendRequest[], expectedOf: (request: LogAppendRequest) => string): unknown[] {
  const entries: number[] = [];
  const ids: string[] = [];
  const roles: string[] = [];
  const contents: string[] = [];
  const metadata: string[] = [];
  const parts: Array<string | null> = [];
  const hashes: string[] = [];
  requests.forEach((request, i) => {
    for (const m of request.messages) {
      entries.push(i + 1);
      ids.push(m.id);
      roles.push(m.role);
      contents.push(m.content);
      metadata.push(JSON.stringify(m.metadata));
      parts.push(m.parts === undefined ? null : JSON.stringify(m.parts));
      hashes.push(m.contentHash);
    }
  });
  return [
    requests.map((r) => r.conversationId),
    requests.map(expectedOf),
    requests.map((r) => r.userId),
    requests.map((r) => r.startedEventId),
    requests.map((r) => JSON.stringify(r.metadata)),
    entries,
    ids,
    roles,
    contents,
    metadata,
    parts,
    hashes,
  ];
}
