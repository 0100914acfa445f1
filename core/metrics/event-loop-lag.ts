/**
 * How late this process's event loop runs right now: a timer that should fire every `intervalMs`
 * notes how much later it fired, and the worst of the last second or so is the answer. A reply
 * that arrived on time still waits that long for the loop to pick it up, so latency measured in
 * the process includes it; the circuit breaker subtracts it, so a busy process is not taken for a
 * slow Redis (which would send every read to the log and make the process busier still).
 */
export interface EventLoopLag {
  /** The worst lag seen over the last one to two seconds, in ms. */
  lagMs(): number;
  close(): void;
}

export function createEventLoopLag(intervalMs = 20): EventLoopLag {
  const bucketMs = 1000;
  let current = 0;
  let previous = 0;
  let bucketStart = performance.now();
  let expected = bucketStart + intervalMs;
  const timer = setInterval(() => {
    const at = performance.now();
    const lag = Math.max(0, at - expected);
    expected = at + intervalMs;
    if (at - bucketStart >= bucketMs) {
      previous = current;
      current = 0;
      bucketStart = at;
    }
    current = Math.max(current, lag);
  }, intervalMs);
  timer.unref();
  return {
    lagMs: () => Math.max(current, previous),
    close: () => clearInterval(timer),
  };
}
