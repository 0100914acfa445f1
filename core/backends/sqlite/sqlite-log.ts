/**
 * The SQLite event log (better-sqlite3, synchronous): the embedded backend and the offline fallback.
 * WAL, `synchronous=FULL` (unless `durability: 'normal'`), `secure_delete=ON`; every write is one
 * `BEGIN IMMEDIATE` transaction, so writers from several processes serialise on the file and
 * position order is commit order.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { SqliteDurability } from './durability.js';
import { BackendUnavailableError, ValidationError } from '../../errors/errors.js';
import type { ConversationInfo, ListOptions, ListResult, Message, ReadResult } from '../../events/types.js';
import type {
  ControlRequest,
  ControlResult,
  EventLog,
  GlobalBatch,
  LogAppendRequest,
  LogAppendResult,
  TailSnapshot,
} from '../log.js';
import { appendInTransaction, isDuplicateEventId } from './append.js';
import { controlInTransaction, hardDeleteInTransaction } from './control.js';
import { createLister, searchQuery } from './list.js';
import { applyMigrations } from './migrate.js';
import { toConversationInfo, toMessage, toStoredEvent } from './rows.js';
import { indexNextBatch, isIndexCurrent } from './search-index.js';
import { runWithBusyRetry, toBackendError } from './sqlite-errors.js';
import { prepareStatements, type Statements } from './statements.js';
import { createWakeSource } from './wake.js';

// Required when this module loads rather than imported statically, which a bundler would hoist to
// the top of an application's bundle and so load in every mode: better-sqlite3 is an optional peer
// dependency (and a native build). It is CommonJS, so require() gives its constructor as typed.
const SqliteDatabase = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');

export interface SqliteLogOptions {
  /** A file path, or ':memory:' (tests). The parent folder is created when missing. */
  path: string;
  /** How long a writer waits for another connection's transaction; default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * How long after an append the idle indexer adds new messages to the search index; default 50 ms.
   * Searches never wait for it: they index any backlog themselves first.
   */
  searchIndexDelayMs?: number;
  /** See {@link SqliteDurability}; default 'full'. */
  durability?: SqliteDurability;
  /**
   * Browse without writing: the file must exist and is opened read-only, no pragma that writes
   * (the journal mode is left as it is), no search-index catch-up — searches see what is indexed.
   */
  readOnly?: boolean;
}

export type { SqliteDurability } from './durability.js';

const CHECKPOINT = /^(0|[1-9]\d*)$/;


/** Opens a file with the pragmas every Scrollback SQLite connection runs with (none when read-only). */
export function openDatabase(path: string, busyTimeoutMs: number, durability: SqliteDurability = 'full', readOnly = false): Database {
  const inMemory = path === ':memory:' || path === '';
  try {
    if (readOnly) return new SqliteDatabase(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    if (!inMemory && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    const db = new SqliteDatabase(path, { timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma(durability === 'normal' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    return db;
  } catch (error) {
    const wrapped = toBackendError(error);
    if (wrapped !== error) throw wrapped;
    throw new BackendUnavailableError('sqlite', 'cannot open the database file', { cause: error });
  }
}

export function createSqliteLog(options: SqliteLogOptions): EventLog {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  // The delay lets a burst of appends be indexed in one transaction.
  const indexDelayMs = options.searchIndexDelayMs ?? 50;
  const readOnly = options.readOnly === true;
  const db = openDatabase(options.path, busyTimeoutMs, options.durability, readOnly);
  const wake = createWakeSource(() => db.pragma('data_version', { simple: true }) as number);
  let closed = false;

  // Statements and transaction functions are prepared on first use: preparing checks the schema,
  // which exists only once migrate() has run.
  let prepared:
    | {
        st: Statements;
        list: ReturnType<typeof createLister>;
        append: (request: LogAppendRequest, checkIdsFirst: boolean) => LogAppendResult;
        control: (request: ControlRequest) => ControlResult;
        hardDelete: (conversationId: string) => { position: number } | null;
        /** Indexes one batch of the search backlog; true when none is left. */
        indexBatch: () => boolean;
        /** Runs a read inside one deferred transaction, so all of it sees one snapshot. */
        inSnapshot: (read: () => unknown) => unknown;
      }
    | undefined;

  const use = () => {
    if (closed) throw new BackendUnavailableError('sqlite', 'the log is closed');
    if (prepared === undefined) {
      const st = prepareStatements(db);
      const append = db.transaction((request: LogAppendRequest, checkIdsFirst: boolean) =>
        appendInTransaction(st, request, checkIdsFirst),
      );
      const control = db.transaction((request: ControlRequest) => controlInTransaction(st, request));
      const hardDelete = db.transaction((conversationId: string) => hardDeleteInTransaction(st, conversationId));
      const indexBatch = db.transaction(() => indexNextBatch(st));
      const snapshotRead = db.transaction((read: () => unknown) => read());
      prepared = {
        st,
        list: createLister(db),
        append: (request, checkIdsFirst) => append.immediate(request, checkIdsFirst),
        control: (request) => control.immediate(request),
        hardDelete: (conversationId) => hardDelete.immediate(conversationId),
        indexBatch: () => indexBatch.immediate(),
        inSnapshot: (read) => snapshotRead.deferred(read),
      };
    }
    return prepared;
  };

  /** One unit of work against the file: busy retries, driver errors wrapped once. */
  const run = <T>(work: () => T): Promise<T> => runWithBusyRetry(work, busyTimeoutMs);

  /** Reads that need one snapshot run in a deferred transaction (WAL readers never block writers). */
  const snapshot = <T>(read: (st: Statements) => T): Promise<T> =>
    run(() => {
      const { st, inSnapshot } = use();
      // The transaction wrapper is shared by every read; `read` alone decides the result's type.
      return inSnapshot(() => read(st)) as T;
    });

  /** Brings the search index up to every committed message; searches call this first. */
  const catchUpSearchIndex = (): void => {
    if (readOnly) return;
    const { st, indexBatch } = use();
    if (isIndexCurrent(st)) return;
    while (!indexBatch()) {
      // Each batch is its own short transaction, so other writers interleave.
    }
  };

  let indexTimer: NodeJS.Timeout | undefined;
  /** Indexes the backlog when the process is idle, one batch per timer turn. */
  const scheduleIndexing = (delayMs: number): void => {
    if (indexTimer !== undefined || closed || readOnly) return;
    indexTimer = setTimeout(() => {
      indexTimer = undefined;
      run(() => use().indexBatch()).then(
        (current) => {
          if (!current) scheduleIndexing(0);
        },
        // Not lost: the next search runs the same catch-up and reports the error to its caller.
        () => undefined,
      );
    }, delayMs);
    indexTimer.unref();
  };

  /**
   * After text was removed (redaction, hard delete): copy the WAL into the main file and truncate it,
   * so the old page images do not linger on disk. Best effort: with a reader still on an older
   * snapshot SQLite reports busy and the WAL frames are overwritten by later commits instead.
   */
  const flushRemovedText = (): void => {
    db.pragma('wal_checkpoint(TRUNCATE)');
  };

  return {
    backend: 'sqlite',

    async migrate() {
      if (closed) throw new BackendUnavailableError('sqlite', 'the log is closed');
      await run(() => applyMigrations(db));
      scheduleIndexing(indexDelayMs);
    },

    async append(request) {
      const result = await run(() => {
        const { append } = use();
        try {
          return append(request, false);
        } catch (error) {
          if (!isDuplicateEventId(error)) throw error;
          return append(request, true);
        }
      });
      if (result.outcome === 'appended') {
        wake.notify();
        scheduleIndexing(indexDelayMs);
      }
      return result;
    },

    async control(request) {
      const result = await run(() => use().control(request));
      if (result.changed) {
        wake.notify();
        if (request.event.type === 'message.redacted') await run(flushRemovedText);
      }
      return result;
    },

    async hardDelete(conversationId) {
      const result = await run(() => use().hardDelete(conversationId));
      if (result !== null) {
        wake.notify();
        await run(flushRemovedText);
      }
      return result;
    },

    read(conversationId, { fromVersion, toVersion, direction, limit }): Promise<ReadResult | null> {
      // SQLite reads LIMIT -1 as "no limit".
      const rowLimit = Number.isFinite(limit) ? limit : -1;
      return snapshot((st) => {
        const conversation = st.conversation.get(conversationId);
        if (conversation === undefined) return null;
        const rows =
          direction === 'forward'
            ? st.readForward.all(conversationId, fromVersion, Math.min(toVersion, Number.MAX_SAFE_INTEGER), rowLimit)
            : st.readBackward.all(conversationId, Math.min(fromVersion, Number.MAX_SAFE_INTEGER), toVersion, rowLimit);
        return { events: rows.map(toStoredEvent), version: conversation.version };
      });
    },

    tail(conversationId, n): Promise<TailSnapshot | null> {
      return snapshot((st) => {
        const conversation = st.conversationHead.get(conversationId);
        if (conversation === undefined) return null;
        const rows = st.tail.all(conversationId, Number.isFinite(n) ? n : -1);
        // Read newest first (the index order); returned oldest first.
        const messages = new Array<Message>(rows.length);
        for (let i = 0, j = rows.length - 1; j >= 0; i++, j--) {
          const [eventId, version, data, recordedAt, redacted, revision] = rows[j]!;
          messages[i] = toMessage(conversationId, eventId, version, data, recordedAt, redacted, revision);
        }
        return {
          status: conversation.status,
          version: conversation.version,
          position: conversation.last_position,
          messages,
        };
      });
    },

    async getConversation(conversationId): Promise<ConversationInfo | null> {
      const row = await run(() => use().st.conversation.get(conversationId));
      return row === undefined ? null : toConversationInfo(row);
    },

    async listConversations(options: ListOptions & { limit: number }): Promise<ListResult> {
      if (options.search !== undefined && searchQuery(options.search) !== null) await run(catchUpSearchIndex);
      return run(() => use().list(options));
    },

    readAll(checkpoint, limit): Promise<GlobalBatch> {
      if (checkpoint !== 'start' && !CHECKPOINT.test(checkpoint)) {
        return Promise.reject(new ValidationError('checkpoint', 'not a checkpoint of the sqlite log'));
      }
      const after = checkpoint === 'start' ? 0 : Number(checkpoint);
      return run(() => {
        const events = use().st.readAll.all(after, limit).map(toStoredEvent);
        const last = events.at(-1);
        return { events, checkpoint: String(last === undefined ? after : last.position) };
      });
    },

    endCheckpoint(): Promise<string> {
      return run(() => String(use().st.lastIssuedPosition.get()?.seq ?? 0));
    },

    onWake(listener) {
      return wake.add(listener);
    },

    async ping() {
      await run(() => use().st.ping.get());
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(indexTimer);
      wake.close();
      db.close();
    },
  };
}
