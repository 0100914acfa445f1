/**
 * Cross-instance invalidation of the L1 tier over Redis pub/sub. An invalidation (rename,
 * redaction, deletion, eviction), and an append made by an instance whose L1 is bounded, publishes
 * the conversation id and the position it reached; every other instance drops its L1 entry and keeps
 * the position as a tombstone (a read already under way can't store an older tail after it). Pub/sub is fire-and-forget: messages
 * published while a subscriber is disconnected are lost, so whenever the subscriber connection
 * drops, and again once it is subscribed anew, `onReset` fires and the store clears its L1.
 * While `live` is false the store should not serve from L1 at all.
 */
import { BackendUnavailableError } from '../errors/errors.js';
import type { RedisClient } from '../backends/redis/redis-client.js';
import { INVALIDATION_CHANNEL } from '../backends/redis/keys.js';

export interface InvalidationBusOptions {
  /** Publishes (any command-mode client, e.g. the cache's). */
  client: RedisClient;
  /** Makes the dedicated subscriber connection (e.g. `() => client.duplicate()`); the bus owns it. */
  subscriberFactory: () => RedisClient;
  channel?: string;
  /** Identifies this instance, so it ignores its own messages. */
  instanceId: string;
  onInvalidate: (conversationId: string, position: number | undefined) => void;
  onReset: () => void;
}

export interface InvalidationBus {
  /** Resolves once subscribed; rejects with BackendUnavailableError after `timeoutMs` (it keeps trying). */
  start(timeoutMs?: number): Promise<void>;
  publish(conversationId: string, position?: number): Promise<void>;
  /** Subscribed right now: only then are other instances' writes seen. */
  readonly live: boolean;
  close(): Promise<void>;
}

interface Envelope {
  /** Publishing instance. */
  i: string;
  /** Conversation id. */
  c: string;
  /** Position the conversation reached, when known. */
  p?: number;
}

export function createInvalidationBus(options: InvalidationBusOptions): InvalidationBus {
  const channel = options.channel ?? INVALIDATION_CHANNEL;
  const subscriber = options.subscriberFactory();
  let live = false;
  let closed = false;
  const waiters = new Set<() => void>();

  const drop = (): void => {
    if (closed) return;
    const wasLive = live;
    live = false;
    if (wasLive) options.onReset();
  };

  const subscribe = (): void => {
    if (closed) return;
    subscriber.subscribe(channel).then(
      () => {
        if (closed || live) return;
        live = true;
        // Entries cached while we were deaf may be stale.
        options.onReset();
        for (const wake of waiters) wake();
        waiters.clear();
      },
      () => {
        // The connection failed again; 'close' follows and the next 'ready' retries.
      },
    );
  };

  subscriber.on('error', () => undefined); // connection errors surface as 'close' and `live`
  subscriber.on('ready', subscribe);
  subscriber.on('close', drop);
  subscriber.on('end', drop);
  subscriber.on('reconnecting', drop);
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const envelope = parse(text);
    if (envelope === null || envelope.i === options.instanceId) return;
    options.onInvalidate(envelope.c, envelope.p);
  });
  if (subscriber.status === 'ready') subscribe();

  return {
    start(timeoutMs = 2000) {
      if (live) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new BackendUnavailableError('redis', `invalidation bus not subscribed within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },

    async publish(conversationId, position) {
      const envelope: Envelope = { i: options.instanceId, c: conversationId, ...(position === undefined ? {} : { p: position }) };
      try {
        await options.client.publish(channel, JSON.stringify(envelope));
      } catch (error) {
        throw new BackendUnavailableError('redis', 'invalidation publish failed', { cause: error });
      }
    },

    get live() {
      return live;
    },

    async close() {
      closed = true;
      live = false;
      subscriber.disconnect();
    },
  };
}

function parse(text: string): Envelope | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { i, c, p } = value as Record<string, unknown>;
    if (typeof i !== 'string' || typeof c !== 'string') return null;
    return typeof p === 'number' && Number.isSafeInteger(p) ? { i, c, p } : { i, c };
  } catch {
    return null;
  }
}
