/**
 * The SQLite backend's error boundary: driver errors that mean the file cannot be used become
 * `BackendUnavailableError('sqlite', …)` with the driver error as `cause`; SQLITE_BUSY is retried
 * until the busy timeout is spent.
 */
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { BackendUnavailableError, isScrollbackError } from '../../errors/errors.js';

// Required when this module loads rather than imported statically, which a bundler would hoist to
// the top of an application's bundle and so load in every mode: better-sqlite3 is an optional peer
// dependency (and a native build). It is CommonJS, so require() gives its constructor as typed.
const SqliteDatabase = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');

/** Result codes (by prefix, so extended codes such as SQLITE_IOERR_WRITE match) meaning "unavailable". */
const UNAVAILABLE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_PERM',
  'SQLITE_AUTH',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_PROTOCOL',
  'SQLITE_NOLFS',
];

export function sqliteCode(error: unknown): string | undefined {
  return error instanceof SqliteDatabase.SqliteError ? error.code : undefined;
}

export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Wraps a driver error once; domain errors and programming errors pass through unchanged. */
export function toBackendError(error: unknown): unknown {
  if (isScrollbackError(error)) return error;
  const code = sqliteCode(error);
  if (code !== undefined && UNAVAILABLE_CODES.some((prefix) => code.startsWith(prefix))) {
    return new BackendUnavailableError('sqlite', `database unavailable (${code})`, { cause: error });
  }
  return error;
}

/**
 * Runs a synchronous unit of work (one transaction) and retries it while SQLite reports the file
 * busy. SQLite's own busy handler already waits up to `busy_timeout`; this loop covers the cases
 * where SQLITE_BUSY comes back without it (e.g. WAL recovery by another process).
 */
export async function runWithBusyRetry<T>(work: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw toBackendError(error);
    }
    // Back off with jitter so competing processes do not retry in lockstep.
    const backoff = Math.min(2 ** attempt, 50) * (0.5 + Math.random());
    await delay(Math.min(backoff, Math.max(0, deadline - Date.now())));
  }
}
