import { describe, expect, it } from 'vitest';
import { createWakeNotifier } from './wake-notifier.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createWakeNotifier', () => {
  it('keeps one NOTIFY in flight and covers writes that land meanwhile with one more', async () => {
    const sends: ReturnType<typeof deferred>[] = [];
    const notifier = createWakeNotifier(() => {
      const next = deferred();
      sends.push(next);
      return next.promise;
    }, () => undefined);
    notifier.schedule();
    notifier.schedule();
    notifier.schedule();
    expect(sends).toHaveLength(1);
    sends[0]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sends).toHaveLength(2);
    sends[1]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sends).toHaveLength(2);
  });

  it('reports a failed send and keeps working; sends nothing after close', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const notifier = createWakeNotifier(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
    }, (error) => errors.push(error));
    notifier.schedule();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    notifier.schedule();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
    notifier.close();
    notifier.schedule();
    expect(calls).toBe(2);
  });
});
