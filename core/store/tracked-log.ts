/**
 * Wraps a log so the store knows its backend's state without probing: a call that fails with
 * BackendUnavailableError marks it down, the next success marks it up again.
 */
import type { EventLog } from '../backends/log.js';
import { BackendUnavailableError } from '../errors/errors.js';

export interface TrackedLog {
  log: EventLog;
  state(): 'up' | 'down';
}

/** Told of every backend call as it settles: its name, duration, and the error when it failed. */
export type LogCallObserver = (operation: string, seconds: number, error?: unknown) => void;

/**
 * `onSuccess` runs after every call that succeeded (the fallback drainer wakes on it); `observe`
 * times each call (OpenTelemetry's operation duration, when configured).
 */
export function trackLog(inner: EventLog, onSuccess?: () => void, observe?: LogCallObserver): TrackedLog {
  let state: 'up' | 'down' = 'up';
  const track = <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const started = observe === undefined ? 0 : performance.now();
    return call().then(
      (value) => {
        state = 'up';
        observe?.(operation, (performance.now() - started) / 1000);
        onSuccess?.();
        return value;
      },
      (error: unknown) => {
        if (error instanceof BackendUnavailableError) state = 'down';
        observe?.(operation, (performance.now() - started) / 1000, error);
        throw error;
      },
    );
  };
  const invalidations = inner.cacheInvalidations;
  const log: EventLog = {
    backend: inner.backend,
    ...(invalidations === undefined
      ? {}
      : {
          cacheInvalidations: {
            record: (id, position) => track('invalidations.record', () => invalidations.record(id, position)),
            recent: (after, limit) => track('invalidations.recent', () => invalidations.recent(after, limit)),
            prune: () => track('invalidations.prune', () => invalidations.prune()),
            onRecorded: (listener) => invalidations.onRecorded(listener),
          },
        }),
    migrate: () => track('migrate', () => inner.migrate()),
    append: (request) => track('append', () => inner.append(request)),
    control: (request) => track('control', () => inner.control(request)),
    hardDelete: (id) => track('hardDelete', () => inner.hardDelete(id)),
    read: (id, options) => track('read', () => inner.read(id, options)),
    tail: (id, n) => track('tail', () => inner.tail(id, n)),
    getConversation: (id) => track('getConversation', () => inner.getConversation(id)),
    listConversations: (options) => track('listConversations', () => inner.listConversations(options)),
    readAll: (checkpoint, limit) => track('readAll', () => inner.readAll(checkpoint, limit)),
    endCheckpoint: () => track('endCheckpoint', () => inner.endCheckpoint()),
    onWake: (listener) => inner.onWake(listener),
    ping: () => track('ping', () => inner.ping()),
    close: () => inner.close(),
  };
  return { log, state: () => state };
}
