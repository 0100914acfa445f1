/**
 * A three-state circuit breaker for the Redis tier. After `failureThreshold` consecutive failures
 * it opens: calls fail at once instead of each waiting for its timeout. While open, one probe per
 * `probeIntervalMs` (half-open) decides: success closes it, failure keeps it open. Calls never
 * serve as probes, so no caller waits on a server that may be gone.
 */
import { BackendUnavailableError } from '../../errors/errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerStats {
  state: BreakerState;
  consecutiveFailures: number;
  /** Transitions since creation. */
  opened: number;
  halfOpened: number;
  closed: number;
}

export interface CircuitBreakerOptions {
  /** Checks the backend (e.g. PING); resolves when it answers. Must be bounded in time. */
  probe: () => Promise<unknown>;
  failureThreshold?: number;
  probeIntervalMs?: number;
  /** Milliseconds clock, injected in tests. */
  now?: () => number;
  /** Schedules `fn` after `ms`; returns a cancel function. Injected in tests. */
  schedule?: (fn: () => void, ms: number) => () => void;
  onStateChange?: (state: BreakerState) => void;
}

export interface CircuitBreaker {
  /** Runs `fn` unless the circuit is open; its failures count toward opening. */
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

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const interval = options.probeIntervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? defaultSchedule;

  let state: BreakerState = 'closed';
  let failures = 0;
  let nextProbeAt = 0;
  let cancelTimer: (() => void) | null = null;
  let closedForGood = false;
  const counts = { opened: 0, halfOpened: 0, closed: 0 };

  const setState = (next: BreakerState): void => {
    if (next === state) return;
    state = next;
    if (next === 'open') counts.opened++;
    else if (next === 'half-open') counts.halfOpened++;
    else counts.closed++;
    options.onStateChange?.(next);
  };

  const open = (): void => {
    setState('open');
    nextProbeAt = now() + interval;
    cancelTimer?.();
    cancelTimer = closedForGood ? null : schedule(probeNow, interval);
  };

  function probeNow(): void {
    cancelTimer = null;
    if (state !== 'open' || closedForGood) return;
    setState('half-open');
    options.probe().then(
      () => {
        if (state !== 'half-open') return;
        failures = 0;
        setState('closed');
      },
      () => {
        if (state === 'half-open') open();
      },
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
      try {
        const result = await fn();
        failures = 0;
        return result;
      } catch (error) {
        failures++;
        if (state === 'closed' && failures >= threshold) open();
        throw error;
      }
    },
    get state() {
      return state;
    },
    stats() {
      return { state, consecutiveFailures: failures, ...counts };
    },
    close() {
      closedForGood = true;
      cancelTimer?.();
      cancelTimer = null;
    },
  };
}
