/**
 * Group commit: concurrent appends from this process, each to a different conversation, coalesced
 * into one round trip and one transaction, the technique durable logs use to beat one commit per
 * write. Nothing waits on a timer: an append that finds no other in flight is sent at once (a
 * lone writer pays nothing); appends that arrive while others are in flight are gathered until
 * the end of the current event-loop turn (setImmediate, microseconds) and sent together, at most
 * `maxInFlight` sends at a time, so under load each send carries what queued during the last one.
 *
 * Order: an append whose conversation already has one in flight (or earlier in the same batch)
 * waits for it, so one process's appends to a conversation reach the log in the order they were
 * made, and a batch never names a conversation twice.
 */
export interface GroupCommitOptions<Request, Result> {
  /** The conversation a request writes: at most one per batch, one in flight per key. */
  key: (request: Request) => string;
  /** The request's weight toward `maxWeight` (its message count). */
  weight: (request: Request) => number;
  /** Sends one request alone (the path an idle writer takes). */
  single: (request: Request) => Promise<Result>;
  /** Sends several; settles with one outcome per request, in order. */
  batch: (requests: Request[]) => Promise<Array<Settled<Result>>>;
  /** Requests per batch. */
  maxBatch: number;
  /** Total weight per batch; a heavier request still goes, alone. */
  maxWeight: number;
  /** Sends (single or batch) in flight at once. */
  maxInFlight: number;
}

export type Settled<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

export interface GroupCommit<Request, Result> {
  submit(request: Request): Promise<Result>;
  /** Sends so far by size, for the statistics: batches of one are `single`. */
  counts(): { single: number; batched: number; batchedRequests: number };
}

interface Pending<Request, Result> {
  request: Request;
  key: string;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<Request, Result>(options: GroupCommitOptions<Request, Result>): GroupCommit<Request, Result> {
  const queue: Array<Pending<Request, Result>> = [];
  const keysInFlight = new Set<string>();
  let inFlight = 0;
  let scheduled = false;
  let singles = 0;
  let batches = 0;
  let batchedRequests = 0;

  const schedule = (): void => {
    if (scheduled || queue.length === 0 || inFlight >= options.maxInFlight) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  };

  /** The next batch: queue order, skipping (and keeping queued) keys already in flight or taken. */
  const take = (): Array<Pending<Request, Result>> => {
    const taken: Array<Pending<Request, Result>> = [];
    const keys = new Set<string>();
    let weight = 0;
    for (let i = 0; i < queue.length && taken.length < options.maxBatch; ) {
      const pending = queue[i]!;
      const w = options.weight(pending.request);
      if (keysInFlight.has(pending.key) || keys.has(pending.key) || (taken.length > 0 && weight + w > options.maxWeight)) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      taken.push(pending);
      keys.add(pending.key);
      weight += w;
    }
    return taken;
  };

  const send = async (taken: Array<Pending<Request, Result>>): Promise<void> => {
    inFlight++;
    for (const p of taken) keysInFlight.add(p.key);
    try {
      if (taken.length === 1) {
        singles++;
        const only = taken[0]!;
        await options.single(only.request).then(only.resolve, only.reject);
        return;
      }
      batches++;
      batchedRequests += taken.length;
      let outcomes: Array<Settled<Result>>;
      try {
        outcomes = await options.batch(taken.map((p) => p.request));
      } catch (error) {
        for (const p of taken) p.reject(error);
        return;
      }
      taken.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) p.reject(new Error('group commit: the batch returned fewer results than requests'));
        else if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    } finally {
      inFlight--;
      for (const p of taken) keysInFlight.delete(p.key);
      schedule();
    }
  };

  function flush(): void {
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      const taken = take();
      if (taken.length === 0) return; // every queued key is in flight: its completion reschedules
      void send(taken);
    }
  }

  return {
    submit(request) {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ request, key: options.key(request), resolve, reject });
        // Idle: this append goes now, alone. Busy: it joins whatever else arrives this turn.
        if (inFlight === 0 && !scheduled) flush();
        else schedule();
      });
    },
    counts: () => ({ single: singles, batched: batches, batchedRequests }),
  };
}
