/**
 * Sends the wake hint after a commit instead of inside the writing transaction: a NOTIFY in the
 * transaction takes PostgreSQL's global notification lock at commit, which queues concurrent
 * appends behind each other. Coalesced and paced: at most one NOTIFY in flight and at most one
 * per `minIntervalMs`, so under load the hints cost a few queries a second, not one per append
 * (readers elsewhere also poll, and this process's readers are woken directly).
 */
export interface WakeNotifier {
  /** A write committed: readers elsewhere should look. */
  schedule(): void;
  close(): void;
}

export function createWakeNotifier(send: () => Promise<unknown>, onError: (error: unknown) => void, minIntervalMs = 20): WakeNotifier {
  let busy = false;
  let pending = false;
  let closed = false;

  const run = (): void => {
    busy = true;
    pending = false;
    send()
      .catch(onError)
      .finally(() => {
        if (closed) return;
        // Stay busy through the pause: writes meanwhile only set `pending`.
        const pause = setTimeout(() => {
          busy = false;
          if (pending && !closed) run();
        }, minIntervalMs);
        pause.unref();
      });
  };

  return {
    schedule() {
      if (closed) return;
      if (busy) pending = true;
      else run();
    },
    close() {
      closed = true;
    },
  };
}
