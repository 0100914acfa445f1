/**
 * The search indexer: fills message_search from the log, off the append path. An append pays for
 * its events only; the words of its messages are indexed moments later, in commit order, by
 * whichever instance gets the indexer lock (one at a time, cluster-wide). A search never waits
 * for it: what the indexer has not reached yet is scanned directly (see listSql), so the index
 * being behind costs searches time, never results.
 *
 * Each instance indexes shortly after its own commits (`delayMs` after the first one, so that a
 * run under load takes the commits of many appends at once; one run at a time) and looks every
 * `intervalMs` for anything left behind, such as the appends of an instance that crashed before
 * indexing them. An instance that finds the lock taken tries again after `delayMs`: the holder
 * may have read the log just before our commit.
 */
import { LAST_EVENT_SQL, SEARCH_APPLY_SQL, SEARCH_PENDING_SQL, SEARCH_PROGRESS_REACHED_SQL } from './queries.js';
import { indexedWords } from './search.js';
import type { RunTransaction } from './transaction.js';

export interface SearchIndexerOptions {
  transaction: RunTransaction;
  /** A run that failed. Reported once per streak of failures (an outage fails every run). */
  onError: (error: unknown) => void;
  /** Events per transaction. Default 2000. */
  batchSize?: number;
  /** How often to look for events nobody indexed. Default 1000 ms. */
  intervalMs?: number;
  /** How long after a commit to index it (and to retry when another instance holds the lock). Default 25 ms. */
  delayMs?: number;
}

export interface SearchIndexer {
  /** Starts the periodic look (after migrations: the functions it calls must exist). */
  start(): void;
  /** Something was committed: index it soon. */
  poke(): void;
  /** Returns once everything committed before the call is indexed; rejects with the error of a failed run. */
  catchUp(): Promise<void>;
  /** Stops, after the run in progress (if any) ends. */
  close(): Promise<void>;
}

interface PendingRow {
  o_locked: boolean;
  o_taken: number;
  o_tx: string | null;
  o_position: string | null;
  o_conversation_id: string | null;
  o_event_id: string | null;
  o_content: string | null;
}

type StepOutcome = 'busy' | 'idle' | 'more';

export function createSearchIndexer(options: SearchIndexerOptions): SearchIndexer {
  const batchSize = options.batchSize ?? 2000;
  const intervalMs = options.intervalMs ?? 1000;
  const delayMs = options.delayMs ?? 25;
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let running: Promise<StepOutcome> | null = null;
  let again = false;
  let closed = false;
  let failing = false;

  /** One transaction: take the next events, store their messages' words, move the progress. */
  const step = (): Promise<StepOutcome> =>
    options.transaction(async (query) => {
      const rows = await query<PendingRow>(SEARCH_PENDING_SQL, [batchSize]);
      const [first] = rows;
      if (first === undefined || !first.o_locked) return 'busy';
      if (first.o_tx === null || first.o_position === null) return 'idle';
      const words: Array<[string, string, string | null]> = [];
      for (const row of rows) {
        if (row.o_conversation_id === null || row.o_event_id === null) continue;
        words.push([row.o_conversation_id, row.o_event_id, row.o_content === null ? null : indexedWords(row.o_content)]);
      }
      await query(SEARCH_APPLY_SQL, [first.o_tx, first.o_position, JSON.stringify(words)]);
      return first.o_taken >= batchSize ? 'more' : 'idle';
    });

  /** Steps until nothing is left (or the lock is elsewhere); never rejects. */
  const run = async (): Promise<StepOutcome> => {
    try {
      let outcome: StepOutcome;
      do outcome = await step();
      while (outcome === 'more' && !closed);
      failing = false;
      return outcome;
    } catch (error) {
      if (!failing) options.onError(error);
      failing = true;
      throw error;
    }
  };

  const launch = (): Promise<StepOutcome> => {
    const current = run();
    running = current;
    const settle = (outcome: StepOutcome | null): void => {
      running = null;
      if (again || outcome === 'busy') {
        again = false;
        indexer.poke();
      }
    };
    current.then(settle, () => settle(null));
    return current;
  };

  const indexer: SearchIndexer = {
    start() {
      if (closed || timer !== undefined) return;
      timer = setInterval(() => indexer.poke(), intervalMs);
      timer.unref();
      indexer.poke();
    },

    poke() {
      if (closed || soon !== undefined) return;
      if (running !== null) {
        again = true;
        return;
      }
      soon = setTimeout(() => {
        soon = undefined;
        if (closed) return;
        if (running !== null) again = true;
        // Errors were reported by run(); the next poke or tick tries again.
        else launch().catch(() => undefined);
      }, delayMs);
      soon.unref();
    },

    async catchUp() {
      // What had committed by now: the indexer only takes events below the oldest running
      // transaction, so one still open elsewhere can hold these back; keep at it until they pass.
      const [last] = await options.transaction((query) => query<{ tx: string; position: string }>(LAST_EVENT_SQL, []));
      if (last === undefined) return;
      for (;;) {
        if (running !== null) await running.catch(() => undefined);
        if (running !== null) continue;
        await launch();
        const [reached] = await options.transaction((query) => query<{ done: boolean }>(SEARCH_PROGRESS_REACHED_SQL, [last.tx, last.position]));
        if (reached?.done === true) return;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    },

    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(soon);
      await running?.catch(() => undefined);
    },
  };
  return indexer;
}
