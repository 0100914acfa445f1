/**
 * A TCP proxy for tests that makes a server slow rather than dead: client→server bytes pass at
 * once, server→client chunks are held back by a settable delay (all of them, or an evenly spread
 * fraction). Bytes keep their order, so a held chunk also holds back the chunks behind it, as a
 * slow server would. Loopback only; bounded in connections and in bytes held per connection
 * (past that it stops reading from the server until the backlog drains); `stop` closes every
 * socket and cancels every timer.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface DelayProxyOptions {
  /** Where to forward to (loopback). */
  targetPort: number;
  targetHost?: string;
  /** Port to listen on (default: a free one); pass a stopped proxy's port to bring a link back. */
  port?: number;
  /** Initial server→client delay in ms (default 0). */
  delayMs?: number;
  /** Share of server→client chunks to delay, 0–1 (default 1: all of them). */
  fraction?: number;
  /** Connections accepted at once (default 64); more are closed at once. */
  maxConnections?: number;
  /** Server→client bytes held per connection before the proxy stops reading (default 1 MiB). */
  maxHeldBytes?: number;
}

export interface DelayProxyStats {
  connections: number;
  /** Server→client chunks forwarded, and how many of them were delayed. */
  chunks: number;
  delayedChunks: number;
  /** Socket errors seen (each closes its connection pair). */
  errors: number;
}

export interface DelayProxy {
  port: number;
  url: (scheme?: string) => string;
  /** Changes the delay (and the delayed fraction) for chunks arriving from now on. */
  setDelay(delayMs: number, fraction?: number): void;
  stats(): DelayProxyStats;
  stop(): Promise<void>;
}

interface Held {
  chunk: Buffer;
  dueAt: number;
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const maxConnections = options.maxConnections ?? 64;
  const maxHeldBytes = options.maxHeldBytes ?? 1024 * 1024;
  let delayMs = 0;
  let fraction = 1;
  const set = (ms: number, share = 1): void => {
    if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new RangeError('delayMs must be from 0 to 60000');
    if (!Number.isFinite(share) || share < 0 || share > 1) throw new RangeError('fraction must be from 0 to 1');
    delayMs = ms;
    fraction = share;
  };
  set(options.delayMs ?? 0, options.fraction ?? 1);

  const counts = { chunks: 0, delayedChunks: 0, errors: 0 };
  const pairs = new Set<() => void>();
  let stopped = false;

  // Deterministic rather than random: chunk i is delayed when the running count of "owed" delays
  // ticks over, so 0.3 delays exactly 3 chunks in every 10, spread out.
  let owed = 0;
  const shouldDelay = (): boolean => {
    if (delayMs === 0 || fraction === 0) return false;
    owed += fraction;
    if (owed >= 1 - 1e-9) {
      owed -= 1;
      return true;
    }
    return false;
  };

  const handle = (client: Socket): void => {
    if (stopped || pairs.size >= maxConnections) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: targetHost, port: options.targetPort });
    const queue: Held[] = [];
    let heldBytes = 0;
    let timer: NodeJS.Timeout | undefined;

    const teardown = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
      client.destroy();
      upstream.destroy();
      pairs.delete(teardown);
    };
    pairs.add(teardown);
    const onError = (): void => {
      // Counted, and the pair closed: a reset on one side must reach the other.
      counts.errors++;
      teardown();
    };
    client.on('error', onError);
    upstream.on('error', onError);
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.pipe(upstream);

    const flush = (): void => {
      timer = undefined;
      const at = Date.now();
      while (queue.length > 0 && (queue[0]?.dueAt ?? Infinity) <= at) {
        const held = queue.shift();
        if (held === undefined) break;
        heldBytes -= held.chunk.length;
        client.write(held.chunk);
      }
      if (heldBytes <= maxHeldBytes && upstream.isPaused()) upstream.resume();
      const next = queue[0];
      if (next !== undefined) timer = setTimeout(flush, Math.max(0, next.dueAt - at));
    };

    upstream.on('data', (chunk: Buffer) => {
      counts.chunks++;
      const delayed = shouldDelay();
      if (delayed) counts.delayedChunks++;
      const at = Date.now();
      // Never before the chunk ahead of it: the byte stream keeps its order.
      const dueAt = Math.max(at + (delayed ? delayMs : 0), queue.at(-1)?.dueAt ?? 0);
      if (queue.length === 0 && dueAt <= at) {
        client.write(chunk);
        return;
      }
      queue.push({ chunk, dueAt });
      heldBytes += chunk.length;
      if (heldBytes > maxHeldBytes) upstream.pause();
      if (timer === undefined) timer = setTimeout(flush, Math.max(0, (queue[0]?.dueAt ?? at) - at));
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('delay proxy got no port');
  const port = address.port;

  return {
    port,
    url: (scheme = 'redis') => `${scheme}://127.0.0.1:${port}`,
    setDelay: set,
    stats: () => ({ connections: pairs.size, ...counts }),
    async stop() {
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const teardown of [...pairs]) teardown();
      await closed;
    },
  };
}
