/**
 * Wake-ups for subscribers of the SQLite log: immediately after a local write, and when another
 * connection (another process) commits, which `PRAGMA data_version` reveals. The pragma is polled
 * only while someone listens, on an unref'd timer so it never keeps the process alive.
 */
export interface WakeSource {
  add(listener: () => void): () => void;
  /** A local commit happened. */
  notify(): void;
  close(): void;
}

export function createWakeSource(readDataVersion: () => number, intervalMs = 100): WakeSource {
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  let lastVersion = 0;

  const notify = (): void => {
    for (const listener of listeners) {
      // A listener's error must not break the write that woke it; as a microtask it still surfaces.
      queueMicrotask(listener);
    }
  };

  const poll = (): void => {
    let version: number;
    try {
      version = readDataVersion();
    } catch {
      // The file became unusable: wake the readers, whose own read reports the error.
      notify();
      return;
    }
    if (version !== lastVersion) {
      lastVersion = version;
      notify();
    }
  };

  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    add(listener) {
      listeners.add(listener);
      if (timer === undefined) {
        lastVersion = readDataVersion();
        timer = setInterval(poll, intervalMs);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    notify,
    close() {
      listeners.clear();
      stop();
    },
  };
}
