import { describe, expect, it } from 'vitest';
import { createEventLoopLag } from './event-loop-lag.js';

describe('event loop lag', () => {
  it('reports how long the loop was blocked, and nothing on an idle loop', async () => {
    const lag = createEventLoopLag(5);
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const idle = lag.lagMs();
      const until = performance.now() + 150;
      while (performance.now() < until) {
        // Busy: the sampler's timer can't fire.
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The block is at least 150 ms; what an idle loop showed is not a measurement of it.
      expect(lag.lagMs()).toBeGreaterThan(100);
      expect(lag.lagMs()).toBeGreaterThan(idle);
    } finally {
      lag.close();
    }
  });
});
