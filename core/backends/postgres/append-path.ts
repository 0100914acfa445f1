/**
 * The PostgreSQL log's append path: scrollback_append for an append sent alone, and group
 * commit (see group-commit.ts) for appends made while others are in flight, sent together
 * through scrollback_append_batch.
 */
import type { LogAppendRequest, LogAppendResult } from '../log.js';
import { BackendUnavailableError } from '../../errors/errors.js';
import { batchParams, toAppendResult, toBatchOutcomes, type AppendBatchRow, type AppendRow } from './append-results.js';
import { createGroupCommit, type Settled } from './group-commit.js';
import { isStoredIdRetry, type ErrorContext } from './pg-errors.js';
import { APPEND_BATCH_SQL, APPEND_RECORDING_INVALIDATION_SQL, APPEND_SQL } from './queries.js';

export interface PostgresAppendOptions {
  /** Runs one statement; driver errors arrive mapped (BackendUnavailableError for an outage). */
  query: <R extends object>(text: string, values: unknown[], context?: ErrorContext) => Promise<R[]>;
  /** Called after a commit that appended something. */
  committed: () => void;
  poolSize: number;
}

/** Versions are int4 in the table. */
const MAX_VERSION = 2_147_483_647;

/**
 * Group commit bounds: entries and messages per batch (each entry's advisory lock is held to the
 * batch's commit), and sends in flight. Two kept a two-core server busy as well as four or eight
 * did (appends at concurrency 32, within noise of each other), with larger batches and fewer
 * connections taken from reads.
 */
const GROUP_COMMIT_MAX_ENTRIES = 32;
const GROUP_COMMIT_MAX_MESSAGES = 512;
const GROUP_COMMIT_MAX_IN_FLIGHT = 2;

/** The append functions' p_expected: 'any' | 'no_stream' | 'exists' | a version as text. */
function expectedParam(request: LogAppendRequest): string {
  const { expectedVersion } = request;
  if (expectedVersion === 0) return 'no_stream';
  if (typeof expectedVersion !== 'number') return expectedVersion;
  // Versions are int4: a larger expectation can only conflict, which the clamp preserves.
  return String(Math.max(0, Math.min(MAX_VERSION, Math.trunc(expectedVersion))));
}

export function createPostgresAppend({
  query,
  committed,
  poolSize,
}: PostgresAppendOptions): (request: LogAppendRequest) => Promise<LogAppendResult> {
  async function appendOne(request: LogAppendRequest): Promise<LogAppendResult> {
    const { conversationId, messages } = request;
    const call = (check: boolean): Promise<AppendRow[]> =>
      query<AppendRow>(
        request.recordCacheInvalidation === true ? APPEND_RECORDING_INVALIDATION_SQL : APPEND_SQL,
        [
          conversationId,
          expectedParam(request),
          request.userId,
          request.startedEventId,
          JSON.stringify(request.metadata),
          messages.map((m) => m.id),
          messages.map((m) => m.role),
          messages.map((m) => m.content),
          messages.map((m) => JSON.stringify(m.metadata)),
          messages.map((m) => (m.parts === undefined ? null : JSON.stringify(m.parts))),
          messages.map((m) => m.contentHash),
          check,
        ],
        { conversationId, expectedVersion: request.expectedVersion },
      );
    // The fast path skips the idempotency probe; an id already stored fails its insert and sends
    // it round again with the probe on (a retry, so the second round trip is the rare case).
    const [row] = await call(false).catch((error: unknown) => {
      if (isStoredIdRetry(error)) return call(true);
      throw error;
    });
    if (row === undefined) throw new Error('scrollback_append returned no row');
    if (row.o_outcome === 'appended') committed();
    return toAppendResult(request, row);
  }

  async function appendBatch(requests: LogAppendRequest[]): Promise<Array<Settled<LogAppendResult>>> {
    let rows: AppendBatchRow[];
    try {
      rows = await query<AppendBatchRow>(APPEND_BATCH_SQL, batchParams(requests, expectedParam));
    } catch (error) {
      // Rolled back whole. An outage fails every entry, as it would have failed each alone;
      // anything else is sent again entry by entry, so one entry's error stays its own.
      if (error instanceof BackendUnavailableError) throw error;
      return Promise.all(
        requests.map((r) =>
          appendOne(r).then(
            (value) => ({ ok: true as const, value }),
            (e: unknown) => ({ ok: false as const, error: e }),
          ),
        ),
      );
    }
    const outcomes = toBatchOutcomes(requests, rows);
    if (outcomes.some((o) => o.ok && o.value.outcome === 'appended')) committed();
    return outcomes;
  }

  const groupCommit = createGroupCommit<LogAppendRequest, LogAppendResult>({
    key: (r) => r.conversationId,
    weight: (r) => r.messages.length,
    single: appendOne,
    batch: appendBatch,
    maxBatch: GROUP_COMMIT_MAX_ENTRIES,
    maxWeight: GROUP_COMMIT_MAX_MESSAGES,
    maxInFlight: Math.max(1, Math.min(GROUP_COMMIT_MAX_IN_FLIGHT, poolSize)),
  });

  // Appends that record an invalidation run while Redis is down: rare, and kept on their own.
  return (request) => (request.recordCacheInvalidation === true ? appendOne(request) : groupCommit.submit(request));
}
