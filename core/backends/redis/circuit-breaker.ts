/**
 * A three-state circuit breaker for the Redis tier. It opens on any of three signals:
 *
 * - `consecutiveFailures` failures in a row (a dead Redis opens after a handful of calls);
 * - a failure ratio over the rolling window at or above `failureRate` (a flaky Redis);
 * - a share of slow calls over the window at or above `slowCallRate`, a call being slow when it
 *   takes longer than `slowCallMs` (a Redis that answers, but later than the log would). A
 *   timeout is both a failure and slow.
 *
 * The two ratios only count once the window holds `minimumCalls` calls, so one unlucky call after
 * a quiet spell never opens it. The share of slow calls is a percentile read the other way round:
 * `slowCallRate` 0.2 with `slowCallMs` 50 trips when the window's p80 passes 50 ms.
 *
 * While open, one probe per `probeIntervalMs` (half-open) decides: it is timed, and an answer
 * slower than `slowCallMs` counts as a failure, so a slow server stays open however often it
 * answers. Calls never serve as probes and fail fast while open or half-open, so no caller waits
 * on a server that may be gone or slow. Closing starts a fresh window; calls started before a
 * transition do not count after it.
 *
 * Latency is measured in this process, so an event loop blocked elsewhere would look like a slow
 * Redis: `lagMs` (the loop's current lateness) is taken off each call's time first. A process
 * saturated by its own work must not send its reads to the log, which costs it more.
 */
import { BackendUnavailableError, ValidationError } from '../../errors/errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';
/** Which signal last opened the circuit from closed. */
export type BreakerTrip = 'failures' | 'failure-rate' | 'latency';

export interface BreakerStats {
  state: BreakerState;
  consecutiveFailures: number;
  /** Transitions since creation (a failed probe opens it again, and counts). */
  opened: number;
  halfOpened: number;
  closed: number;
  /** Why it last opened from closed; null until it has. */
  lastTrip: BreakerTrip | null;
}

/** The tunable thresholds; every one has a default (see DEFAULT_BREAKER_SETTINGS). */
export interface BreakerSettings {
  /** Failures in a row that open it, whatever the window says. */
  consecutiveFailures: number;
  /** The rolling window: at most this many of the latest calls… */
  windowSize: number;
  /** …and none older than this. */
  windowMs: number;
  /** Calls the window must hold before its ratios can open the circuit. */
  minimumCalls: number;
  /** Share of failed calls (0–1] in the window that opens it. */
  failureRate: number;
  /** A call (or probe) slower than this is slow. */
  slowCallMs: number;
  /** Share of slow calls (0–1] in the window that opens it. */
  slowCallRate: number;
  /** Time from opening to the next probe. */
  probeIntervalMs: number;
}

/**
 * Defaults for a cache whose only reason to exist is to answer faster than PostgreSQL.
 *
 * - Window: the last 20 calls, at most 10 s old. Counting calls bounds how many calls a slow Redis
 *   costs before it opens, at any traffic rate; the age bound keeps a quiet instance from acting
 *   on a burst from minutes ago.
 * - 10 calls minimum: one or two unlucky calls never make a ratio.
 * - Failure rate 50 %: a cache failing half its calls costs more than it saves (each failure is
 *   a wasted round trip, or a wasted timeout, before the log answers anyway).
 * - Slow = over 50 ms: a healthy Redis answers in well under a millisecond on a LAN, and an
 *   indexed tail from PostgreSQL in a few; at 50 ms the cache is slower than the log it fronts.
 * - Slow share 20 % (p80 over 50 ms): a fifth of reads that late is no occasional hiccup.
 * - 5 failures in a row, and a probe every second.
 */
export const DEFAULT_BREAKER_SETTINGS: Readonly<BreakerSettings> = Object.freeze({
  consecutiveFailures: 5,
  windowSize: 20,
  windowMs: 10_000,
  minimumCalls: 10,
  failureRate: 0.5,
  slowCallMs: 50,
  slowCallRate: 0.2,
  probeIntervalMs: 1000,
});

export interface CircuitBreakerOptions extends Partial<BreakerSettings> {
  /** Checks the backend (e.g. PING); resolves when it answers. */
  probe: () => Promise<unknown>;
  /** Milliseconds clock, injected in tests. */
  now?: () => number;
  /** Schedules `fn` after `ms`; returns a cancel function. Injected in tests. */
  schedule?: (fn: () => void, ms: number) => () => void;
  onStateChange?: (state: BreakerState) => void;
  /**
   * How late this process's event loop runs now (ms): subtracted from a call's time before it
   * is judged slow, since a busy process delays every reply it reads, whatever the server did.
   */
  lagMs?: () => number;
}

export interface CircuitBreaker {
  /** Runs `fn` unless the circuit is open; its failures and its latency count toward opening. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly state: BreakerState;
  stats(): BreakerStats;
  /** Stops the probe timer. */
  close(): void;
}

const defaultSchedule = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Sample {
  at: number;
  failed: boolean;
  slow: boolean;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const settings = checkBreakerSettings(options);
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? defaultSchedule;
  const lagMs = options.lagMs ?? (() => 0);

  let state: BreakerState = 'closed';
  let failures = 0;
  let lastTrip: BreakerTrip | null = null;
  // Calls record only into the epoch they started in: a reply landing after the circuit opened
  // (or closed again) says nothing about the window that follows.
  let epoch = 0;
  // A ring of the latest samples, oldest first from `head`.
  const window: (Sample | undefined)[] = new Array<Sample | undefined>(settings.windowSize);
  let head = 0;
  let size = 0;
  let nextProbeAt = 0;
  let cancelTimer: (() => void) | null = null;
  let closedForGood = false;
  const counts = { opened: 0, halfOpened: 0, closed: 0 };

  const clearWindow = (): void => {
    window.fill(undefined);
    head = 0;
    size = 0;
  };

  const setState = (next: BreakerState): void => {
    if (next === state) return;
    state = next;
    epoch++;
    if (next === 'open') counts.opened++;
    else if (next === 'half-open') counts.halfOpened++;
    else counts.closed++;
    options.onStateChange?.(next);
  };

  const open = (): void => {
    setState('open');
    clearWindow();
    nextProbeAt = now() + settings.probeIntervalMs;
    cancelTimer?.();
    cancelTimer = closedForGood ? null : schedule(probeNow, settings.probeIntervalMs);
  };

  const record = (sample: Sample): void => {
    window[(head + size) % settings.windowSize] = sample;
    if (size < settings.windowSize) size++;
    else head = (head + 1) % settings.windowSize;
    failures = sample.failed ? failures + 1 : 0;
    const trip = tripReason(sample.at);
    if (trip !== null) {
      lastTrip = trip;
      open();
    }
  };

  const tripReason = (at: number): BreakerTrip | null => {
    if (failures >= settings.consecutiveFailures) return 'failures';
    // Samples past their age leave from the oldest end.
    while (size > 0 && (window[head]?.at ?? at) < at - settings.windowMs) {
      window[head] = undefined;
      head = (head + 1) % settings.windowSize;
      size--;
    }
    if (size < settings.minimumCalls) return null;
    let failed = 0;
    let slow = 0;
    for (let i = 0; i < size; i++) {
      const sample = window[(head + i) % settings.windowSize];
      if (sample?.failed) failed++;
      if (sample?.slow) slow++;
    }
    if (failed / size >= settings.failureRate) return 'failure-rate';
    if (slow / size >= settings.slowCallRate) return 'latency';
    return null;
  };

  function probeNow(): void {
    cancelTimer = null;
    if (state !== 'open' || closedForGood) return;
    setState('half-open');
    const probeEpoch = epoch;
    const started = now();
    // A probe still unanswered once it is slow has failed: no need to wait for its timeout.
    let cancelSlow: (() => void) | null = schedule(() => {
      cancelSlow = null;
      if (state === 'half-open' && epoch === probeEpoch) open();
    }, settings.slowCallMs + 1 + lagMs());
    const settle = (ok: boolean): void => {
      cancelSlow?.();
      cancelSlow = null;
      if (state !== 'half-open' || epoch !== probeEpoch) return;
      if (ok && now() - started - lagMs() <= settings.slowCallMs) {
        setState('closed');
        clearWindow();
        failures = 0;
      } else {
        open();
      }
    };
    let answer: Promise<unknown>;
    try {
      answer = options.probe();
    } catch (error) {
      // A probe that throws instead of rejecting has failed all the same.
      answer = Promise.reject(error);
    }
    answer.then(
      () => settle(true),
      () => settle(false),
    );
  }

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (state !== 'closed') {
        // A late timer (or none, under an injected scheduler that never fires) must not keep
        // the circuit open forever while calls keep coming.
        if (state === 'open' && now() >= nextProbeAt) {
          cancelTimer?.();
          probeNow();
        }
        throw new BackendUnavailableError('redis', 'circuit open');
      }
      const callEpoch = epoch;
      const started = now();
      const done = (failed: boolean): void => {
        if (state !== 'closed' || epoch !== callEpoch) return;
        const at = now();
        record({ at, failed, slow: at - started - lagMs() > settings.slowCallMs });
      };
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        done(true);
        throw error;
      }
      done(false);
      return result;
    },
    get state() {
      return state;
    },
    stats() {
      return { state, consecutiveFailures: failures, ...counts, lastTrip };
    },
    close() {
      closedForGood = true;
      cancelTimer?.();
      cancelTimer = null;
    },
  };
}

/**
 * Fills in and validates breaker settings: whole numbers of at least 1 (calls, milliseconds),
 * ratios in (0, 1], and a minimum the window can hold. A ValidationError names the setting under
 * `field` (the store's config passes `redis.breaker`).
 */
export function checkBreakerSettings(input: Partial<BreakerSettings>, field = 'breaker'): BreakerSettings {
  const settings: BreakerSettings = { ...DEFAULT_BREAKER_SETTINGS };
  for (const key of Object.keys(DEFAULT_BREAKER_SETTINGS) as (keyof BreakerSettings)[]) {
    const value = input[key];
    if (value === undefined) continue;
    const ratio = key === 'failureRate' || key === 'slowCallRate';
    const ok = ratio
      ? Number.isFinite(value) && value > 0 && value <= 1
      : Number.isSafeInteger(value) && value >= 1;
    if (!ok) throw new ValidationError(`${field}.${key}`, ratio ? 'must be a ratio in (0, 1]' : 'must be a positive integer');
    settings[key] = value;
  }
  if (settings.minimumCalls > settings.windowSize) {
    throw new ValidationError(`${field}.minimumCalls`, `must not exceed ${field}.windowSize`);
  }
  return settings;
}
