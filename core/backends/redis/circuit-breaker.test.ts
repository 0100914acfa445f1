import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../errors/errors.js';
import { createCircuitBreaker, type BreakerState } from './circuit-breaker.js';

/** A manual clock and scheduler: timers fire only when the test advances time. */
function fakeTime() {
  let time = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => time,
    schedule: (fn: () => void, ms: number) => {
      const timer = { at: time + ms, fn };
      timers.push(timer);
      return () => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    advance(ms: number) {
      time += ms;
      for (const timer of timers.filter((t) => t.at <= time)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
    },
    pending: () => timers.length,
  };
}

/** A probe whose answer the test decides. */
function controllableProbe() {
  const calls: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    probe: () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
    calls,
  };
}

const fail = () => Promise.reject(new Error('boom'));
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('circuit breaker', () => {
  it('stays closed below the threshold and resets on success', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 4; i++) await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(await breaker.run(async () => 'ok')).toBe('ok');
    for (let i = 0; i < 4; i++) await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('closed');
  });

  it('opens after 5 consecutive failures and then fails fast without calling', async () => {
    const time = fakeTime();
    const states: BreakerState[] = [];
    const breaker = createCircuitBreaker({
      probe: async () => undefined,
      now: time.now,
      schedule: time.schedule,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    let called = false;
    const error = await breaker
      .run(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).backend).toBe('redis');
    expect(states).toEqual(['open']);
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 1 });
  });

  it('probes once per interval; a successful probe closes it', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail)).rejects.toThrow();
    time.advance(999);
    expect(probe.calls).toHaveLength(0);
    time.advance(1);
    expect(probe.calls).toHaveLength(1);
    expect(breaker.state).toBe('half-open');
    // Calls during the probe still fail fast and start no second probe.
    await expect(breaker.run(async () => 1)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(probe.calls).toHaveLength(1);
    probe.calls[0]?.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
    expect(await breaker.run(async () => 'back')).toBe('back');
    expect(breaker.stats()).toMatchObject({ opened: 1, halfOpened: 1, closed: 1, consecutiveFailures: 0 });
  });

  it('a failed probe reopens it and schedules the next probe', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail)).rejects.toThrow();
    time.advance(1000);
    probe.calls[0]?.reject(new Error('still down'));
    await flush();
    expect(breaker.state).toBe('open');
    expect(breaker.stats().opened).toBe(2);
    time.advance(1000);
    expect(probe.calls).toHaveLength(2);
    probe.calls[1]?.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
  });

  it('a call after the interval starts the probe when the timer did not fire', async () => {
    let time = 0;
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: () => time, schedule: () => () => undefined });
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail)).rejects.toThrow();
    time = 1500;
    await expect(breaker.run(async () => 1)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(probe.calls).toHaveLength(1);
  });

  it('close() cancels the pending probe', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail)).rejects.toThrow();
    expect(time.pending()).toBe(1);
    breaker.close();
    expect(time.pending()).toBe(0);
    time.advance(5000);
    expect(probe.calls).toHaveLength(0);
  });
});
