import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../errors/errors.js';
import { ValidationError } from '../../errors/errors.js';
import { checkBreakerSettings, createCircuitBreaker, type BreakerState } from './circuit-breaker.js';

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
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 1, lastTrip: 'failures' });
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

  it('a failed probe keeps the reason it first opened for', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail)).rejects.toThrow();
    time.advance(1000);
    probe.calls[0]?.reject(new Error('still down'));
    await flush();
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 2, lastTrip: 'failures' });
  });
});

describe('circuit breaker: rolling window', () => {
  /** A call that takes `ms` on the fake clock, then succeeds or fails. */
  const takes = (time: ReturnType<typeof fakeTime>, ms: number, ok = true) => async () => {
    time.advance(ms);
    if (!ok) throw new Error('boom');
    return 'ok';
  };
  const run = (breaker: ReturnType<typeof createCircuitBreaker>, fn: () => Promise<string>) => breaker.run(fn).catch((e: unknown) => e);

  it('opens on the failure rate once the window holds the minimum number of calls', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule });
    // Every other call fails: never two in a row, so only the rate can open it.
    for (let i = 0; i < 9; i++) await run(breaker, takes(time, 1, i % 2 === 1));
    expect(breaker.state).toBe('closed');
    await run(breaker, takes(time, 1, false));
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 1, lastTrip: 'failure-rate' });
  });

  it('opens on the share of slow calls although every call succeeds', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 10; i++) await run(breaker, takes(time, 1));
    // 1 in 11, then 2 in 12 are under a fifth; 3 in 13 are over it.
    await run(breaker, takes(time, 51));
    await run(breaker, takes(time, 200));
    expect(breaker.state).toBe('closed');
    expect(await run(breaker, takes(time, 60))).toBe('ok');
    expect(breaker.stats()).toMatchObject({ state: 'open', lastTrip: 'latency' });
  });

  it('does not blame Redis for its own event loop running late', async () => {
    const time = fakeTime();
    let lag = 120;
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule, lagMs: () => lag });
    // Every call took 150 ms, 120 of them waiting for this busy process: not slow.
    for (let i = 0; i < 20; i++) await run(breaker, takes(time, 150));
    expect(breaker.state).toBe('closed');
    // The process is idle again and Redis itself takes 150 ms: slow.
    lag = 0;
    for (let i = 0; i < 20 && breaker.state === 'closed'; i++) await run(breaker, takes(time, 150));
    expect(breaker.stats()).toMatchObject({ state: 'open', lastTrip: 'latency' });
  });

  it('a call of exactly slowCallMs is not slow', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 20; i++) await run(breaker, takes(time, 50));
    expect(breaker.state).toBe('closed');
  });

  it('counts a failure that took its time (a timeout) as failed and slow', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule, failureRate: 0.9 });
    // 2 timeouts in 10: under the failure rate, at the slow share.
    for (let i = 0; i < 8; i++) await run(breaker, takes(time, 1));
    await run(breaker, takes(time, 250, false));
    expect(breaker.state).toBe('closed');
    await run(breaker, takes(time, 250, false));
    expect(breaker.stats()).toMatchObject({ state: 'open', lastTrip: 'latency' });
  });

  it('does not open on ratios below the minimum number of calls', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule });
    // Nine calls: over half slow, four failing in a row (all but 'failures' passed its bound).
    for (let i = 0; i < 5; i++) await run(breaker, takes(time, 200));
    for (let i = 0; i < 4; i++) await run(breaker, takes(time, 1, false));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().consecutiveFailures).toBe(4);
  });

  it('forgets calls older than windowMs', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 9; i++) await run(breaker, takes(time, 200));
    time.advance(10_001);
    await run(breaker, takes(time, 200));
    expect(breaker.state).toBe('closed');
  });

  it('forgets calls beyond the last windowSize', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({ probe: async () => undefined, now: time.now, schedule: time.schedule, windowSize: 10 });
    await run(breaker, takes(time, 200));
    for (let i = 0; i < 9; i++) await run(breaker, takes(time, 1));
    // The window is full with 1 slow in 10; each fast call pushes the slow one further out.
    for (let i = 0; i < 20; i++) await run(breaker, takes(time, 1));
    await run(breaker, takes(time, 200));
    expect(breaker.state).toBe('closed');
  });

  it('takes its thresholds from the factory options', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({
      probe: async () => undefined,
      now: time.now,
      schedule: time.schedule,
      slowCallMs: 5,
      slowCallRate: 1,
      minimumCalls: 3,
      windowSize: 3,
    });
    await run(breaker, takes(time, 6));
    await run(breaker, takes(time, 6));
    expect(breaker.state).toBe('closed');
    await run(breaker, takes(time, 6));
    expect(breaker.stats()).toMatchObject({ state: 'open', lastTrip: 'latency' });
  });

  it('a call in flight when the circuit opens does not count after it closes', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule, consecutiveFailures: 2, minimumCalls: 1, windowSize: 1 });
    let finish: (() => void) | undefined;
    const hanging = breaker.run(() => new Promise<void>((_resolve, reject) => (finish = () => reject(new Error('late')))));
    for (let i = 0; i < 2; i++) await run(breaker, takes(time, 1, false));
    expect(breaker.state).toBe('open');
    time.advance(1000);
    probe.calls[0]?.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
    finish?.();
    await expect(hanging).rejects.toThrow('late');
    // With a window of one call, the late failure would have opened it again.
    expect(breaker.state).toBe('closed');
  });

  it('a successful probe closes it with an empty window', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 10; i++) await run(breaker, takes(time, 200));
    expect(breaker.state).toBe('open');
    time.advance(1000);
    expect(breaker.state).toBe('half-open');
    time.advance(3);
    probe.calls[0]?.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
    // Nine slow calls would trip a window that still held the ten before.
    for (let i = 0; i < 9; i++) await run(breaker, takes(time, 200));
    expect(breaker.stats()).toMatchObject({ state: 'closed', opened: 1, closed: 1 });
  });

  it('a probe still unanswered after slowCallMs opens it again without waiting for the answer', async () => {
    const time = fakeTime();
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: time.now, schedule: time.schedule });
    for (let i = 0; i < 10; i++) await run(breaker, takes(time, 200));
    time.advance(1000);
    expect(breaker.state).toBe('half-open');
    time.advance(50);
    expect(breaker.state).toBe('half-open');
    time.advance(1);
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 2, lastTrip: 'latency' });
    // Its late answer changes nothing; the next probe comes a full interval later.
    probe.calls[0]?.resolve();
    await flush();
    expect(breaker.state).toBe('open');
    time.advance(999);
    expect(probe.calls).toHaveLength(1);
    time.advance(1);
    expect(probe.calls).toHaveLength(2);
  });

  it('a slow answer to the probe opens it again even when no timer fired', async () => {
    let time = 0;
    const probe = controllableProbe();
    const breaker = createCircuitBreaker({ probe: probe.probe, now: () => time, schedule: () => () => undefined });
    for (let i = 0; i < 5; i++) await run(breaker, async () => Promise.reject(new Error('boom')));
    time = 1000;
    await run(breaker, async () => 'ok');
    expect(breaker.state).toBe('half-open');
    time = 1100;
    probe.calls[0]?.resolve();
    await flush();
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 2 });
  });

  it('a probe that throws instead of rejecting opens it again', async () => {
    const time = fakeTime();
    const breaker = createCircuitBreaker({
      probe: () => {
        throw new Error('sync');
      },
      now: time.now,
      schedule: time.schedule,
    });
    for (let i = 0; i < 5; i++) await run(breaker, takes(time, 1, false));
    time.advance(1000);
    await flush();
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 2 });
  });
});

describe('breaker settings', () => {
  it('fills in the defaults and rejects what cannot work, naming the setting', () => {
    expect(checkBreakerSettings({})).toMatchObject({ consecutiveFailures: 5, minimumCalls: 10, slowCallMs: 50, probeIntervalMs: 1000 });
    for (const bad of [{ failureRate: 0 }, { slowCallRate: 1.5 }, { slowCallMs: 0 }, { windowSize: 2.5 }, { windowMs: Number.NaN }]) {
      expect(() => checkBreakerSettings(bad, 'redis.breaker')).toThrow(ValidationError);
    }
    const error = (() => {
      try {
        checkBreakerSettings({ windowSize: 5 }, 'redis.breaker');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('redis.breaker.minimumCalls');
    expect(() => createCircuitBreaker({ probe: async () => undefined, slowCallRate: -1 })).toThrow(ValidationError);
  });
});
