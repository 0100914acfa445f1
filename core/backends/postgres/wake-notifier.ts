/**
 * Sends the wake hint after a commit instead of inside the writing transaction: a NOTIFY in the
 * transaction takes PostgreSQL's global notification lock at commit, which queues concurrent
 * appends behind each other. Coalesced: at most one NOTIFY in flight; writes that land meanwhile
 * are covered by one more after it.
 */
export interface WakeNotifier {
  /** A write committed: readers elsewhere should look. */
  schedule(): void;
  close(): void;
}

export function createWakeNotifier(send: () => Promise<unknown>, onError: (error: unknown) => void): WakeNotifier {
  let inFlight = false;
  let pending = false;
  let closed = false;

  const run = (): void => {
    inFlight = true;
    pending = false;
    send()
      .catch(onError)
      .finally(() => {
        inFlight = false;
        if (pending && !closed) run();
      });
  };

  return {
    schedule() {
      if (closed) return;
      if (inFlight) pending = true;
      else run();
    },
    close() {
      closed = true;
    },
  };
}
