import { afterEach, describe, expect, it, vi } from 'vitest';
import { DirtyEntries } from './dirty-entries.js';

const logger = { warn: () => undefined, error: vi.fn() };

afterEach(() => {
  vi.useRealTimers();
});

describe('dirty entries', () => {
  it('retries repairs in order until one fails, then resumes there; repaired ids are clean again', async () => {
    vi.useFakeTimers();
    let reachable = false;
    const repaired: string[] = [];
    const dirty = new DirtyEntries({
      logger,
      retryMs: 1000,
      repair: async (id) => {
        if (!reachable) throw new Error('unreachable');
        repaired.push(id);
      },
    });
    dirty.add('a');
    dirty.add('b');
    await vi.advanceTimersByTimeAsync(1000);
    expect(repaired).toEqual([]);
    expect(dirty.has('a') && dirty.has('b')).toBe(true);
    reachable = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(repaired).toEqual(['a', 'b']);
    expect(dirty.has('a') || dirty.has('b')).toBe(false);
    // Nothing pending: the timer is gone, so no further repairs run.
    await vi.advanceTimersByTimeAsync(5000);
    expect(repaired).toEqual(['a', 'b']);
    dirty.close();
  });

  it('is bounded: past the limit the oldest id is dropped, and that is logged', () => {
    const dirty = new DirtyEntries({ logger, maxEntries: 2, repair: async () => undefined });
    dirty.add('a');
    dirty.add('b');
    dirty.add('c');
    expect([dirty.has('a'), dirty.has('b'), dirty.has('c')]).toEqual([false, true, true]);
    expect(logger.error).toHaveBeenCalledOnce();
    dirty.close();
  });
});
