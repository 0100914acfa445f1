import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWakeNotifier } from './wake-notifier.js';

describe('createWakeNotifier', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at once, then at most one more per interval however many writes land meanwhile', async () => {
    let sent = 0;
    const notifier = createWakeNotifier(async () => {
      sent++;
    }, () => undefined, 20);
    notifier.schedule();
    expect(sent).toBe(1);
    for (let i = 0; i < 50; i++) notifier.schedule();
    await vi.advanceTimersByTimeAsync(19);
    expect(sent).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toBe(2);
    notifier.schedule();
    expect(sent).toBe(3);
  });

  it('reports a failed send and keeps working; sends nothing after close', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const notifier = createWakeNotifier(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
    }, (error) => errors.push(error), 20);
    notifier.schedule();
    await vi.advanceTimersByTimeAsync(20);
    expect(errors).toHaveLength(1);
    notifier.schedule();
    expect(calls).toBe(2);
    notifier.close();
    notifier.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
  });
});
