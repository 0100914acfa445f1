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

/** `onSuccess` runs after every call that succeeded (the fallback drainer wakes on it). */
export function trackLog(inner: EventLog, onSuccess?: () => void): TrackedLog {
  let state: 'up' | 'down' = 'up';
  const track = <T>(promise: Promise<T>): Promise<T> =>
    promise.then(
      (value) => {
        state = 'up';
        onSuccess?.();
        return value;
      },
      (error: unknown) => {
        if (error instanceof BackendUnavailableError) state = 'down';
        throw error;
      },
    );
  const invalidations = inner.cacheInvalidations;
  const log: EventLog = {
    backend: inner.backend,
    ...(invalidations === undefined
      ? {}
      : {
          cacheInvalidations: {
            record: (id, position) => track(invalidations.record(id, position)),
            recent: (after, limit) => track(invalidations.recent(after, limit)),
            prune: () => track(invalidations.prune()),
            onRecorded: (listener) => invalidations.onRecorded(listener),
          },
        }),
    migrate: () => track(inner.migrate()),
    append: (request) => track(inner.append(request)),
    control: (request) => track(inner.control(request)),
    hardDelete: (id) => track(inner.hardDelete(id)),
    read: (id, options) => track(inner.read(id, options)),
    tail: (id, n) => track(inner.tail(id, n)),
    getConversation: (id) => track(inner.getConversation(id)),
    listConversations: (options) => track(inner.listConversations(options)),
    readAll: (checkpoint, limit) => track(inner.readAll(checkpoint, limit)),
    endCheckpoint: () => track(inner.endCheckpoint()),
    onWake: (listener) => inner.onWake(listener),
    ping: () => track(inner.ping()),
    close: () => inner.close(),
  };
  return { log, state: () => state };
}
