/**
 * The WebSocket at /api/ws, on the same HTTP server: the upgrade passes the same gate as every
 * request (Host, Origin, token). Per environment, one store subscription and one stats timer are
 * shared by all connections that asked for them and stopped when the last one leaves; a slow
 * connection loses messages (counted) instead of growing a buffer without bound.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { StoredEvent } from '../events/types.js';
import type { Unsubscribe } from '../store/types.js';
import { clientMessage, type LiveChannel, type LiveServerMessage } from './live-messages.js';
import { checkRequest, gateRequestOf } from './auth.js';
import type { ApiErrorBody } from './api.js';
import { ConsoleError, toWireError } from './console-error.js';
import type { ConsoleContext } from './context.js';
import { snapshotFor } from './handlers/live.js';
import { maskEvent } from './masking.js';

const STATS_INTERVAL_MS = 1000;
/** Above this many unsent bytes a connection is considered slow and skips messages. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const MAX_EVENTS_PER_MESSAGE = 500;
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 32;
const HEARTBEAT_MS = 15_000;

interface Subscription {
  reveal: boolean;
  /** Events dropped since the last delivered message. */
  dropped: number;
}

interface Connection {
  socket: WebSocket;
  subscriptions: Map<string, Subscription>;
  /** Cleared on each heartbeat ping, set again by the pong: false at the next ping means dead. */
  alive: boolean;
}

/**
 * One running feed. `subscribed` is sent only while it is `live`; a feed that failed reports the
 * error to every connection, retries with a backoff, and sends `subscribed` again once live.
 */
interface Feed {
  channel: LiveChannel;
  environmentId: string;
  connections: Set<Connection>;
  state: 'starting' | 'live' | 'failed';
  lastError: ApiErrorBody | null;
  stop: () => void;
  /** Let go of the current store and start over (it was closed under the feed). */
  restart: () => void;
}

function key(channel: LiveChannel, environmentId: string): string {
  return `${channel}\u0000${environmentId}`;
}

/** Retry delays after a failed start: 0.5 s doubling to 15 s. */
export function feedRetryDelay(attempt: number): number {
  return Math.min(500 * 2 ** Math.min(attempt, 10), 15_000);
}

export interface LiveSocketOptions {
  ctx: ConsoleContext;
  token: string;
  port: () => number;
  /** The host the server listens on (the gate accepts only it). */
  host: () => string;
  onError: (error: unknown) => void;
  /** Server ping interval; a client that has not answered by the next ping is dropped. Default 15 s. */
  heartbeatMs?: number;
  /** Override of the feed retry backoff (tests). */
  retryDelay?: (attempt: number) => number;
}

export class LiveSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  private readonly feeds = new Map<string, Feed>();
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopReplaced: () => void;

  constructor(private readonly options: LiveSocketOptions) {
    const interval = options.heartbeatMs ?? HEARTBEAT_MS;
    this.heartbeat = setInterval(() => this.beat(interval), interval);
    this.heartbeat.unref();
    // An edited environment's store is closed: its feeds restart on the new one.
    this.stopReplaced = options.ctx.stores.onReplaced((environmentId) => {
      for (const feed of this.feeds.values()) if (feed.environmentId === environmentId) feed.restart();
    });
  }

  /** Handles an HTTP upgrade; refuses with a plain HTTP status before any WebSocket exists. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const decision = checkRequest(
      gateRequestOf(req),
      { token: this.options.token, port: this.options.port(), host: this.options.host(), allowQueryToken: true },
    );
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (decision.action === 'deny' || path !== '/api/ws') {
      const status = decision.action === 'deny' ? decision.status : 404;
      const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = { socket, subscriptions: new Map(), alive: true };
    this.connections.add(connection);
    socket.on('message', (data: RawData) => this.onMessage(connection, data));
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('close', () => this.release(connection));
    socket.on('error', () => socket.terminate());
    this.send(connection, { type: 'heartbeat', intervalMs: this.options.heartbeatMs ?? HEARTBEAT_MS });
  }

  /**
   * Protocol pings find dead peers (a laptop that slept, a dropped network) that would otherwise
   * hold feeds open; the `heartbeat` message lets the browser, which never sees pings, notice a
   * silent server and reconnect.
   */
  private beat(intervalMs: number): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        this.release(connection);
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
      this.send(connection, { type: 'heartbeat', intervalMs });
    }
  }

  private onMessage(connection: Connection, data: RawData): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      this.send(connection, { type: 'error', error: { code: 'BAD_REQUEST', message: 'Messages must be JSON.' } });
      return;
    }
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      this.send(connection, { type: 'error', error: { code: 'BAD_REQUEST', message: 'Unknown message.' } });
      return;
    }
    const message = result.data;
    const k = key(message.channel, message.environmentId);
    if (message.type === 'unsubscribe') {
      if (connection.subscriptions.delete(k)) this.leave(k, connection);
      return;
    }
    try {
      // Both channels are reads: allowed on read-only environments; unknown ids are refused.
      this.options.ctx.registry.get(message.environmentId);
    } catch (error) {
      this.send(connection, { type: 'error', environmentId: message.environmentId, error: toWireError(error).body });
      return;
    }
    if (!connection.subscriptions.has(k) && connection.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      this.send(connection, { type: 'error', error: { code: 'BAD_REQUEST', message: 'Too many subscriptions on one connection.' } });
      return;
    }
    const existing = connection.subscriptions.get(k);
    connection.subscriptions.set(k, { reveal: message.reveal === true, dropped: existing?.dropped ?? 0 });
    const feed = this.join(k, message.channel, message.environmentId, connection);
    // 'subscribed' means live: events committed after it arrives are delivered. A feed still
    // starting tells this connection when it is live; a failed one repeats its error.
    if (feed.state === 'live') this.send(connection, { type: 'subscribed', channel: message.channel, environmentId: message.environmentId });
    else if (feed.state === 'failed' && feed.lastError !== null) this.send(connection, { type: 'error', environmentId: message.environmentId, error: feed.lastError });
  }

  private join(k: string, channel: LiveChannel, environmentId: string, connection: Connection): Feed {
    let feed = this.feeds.get(k);
    if (!feed) {
      feed = channel === 'events' ? this.eventsFeed(environmentId) : this.statsFeed(k, environmentId);
      this.feeds.set(k, feed);
    }
    feed.connections.add(connection);
    return feed;
  }

  private leave(k: string, connection: Connection): void {
    const feed = this.feeds.get(k);
    if (!feed) return;
    feed.connections.delete(connection);
    if (feed.connections.size === 0) {
      this.feeds.delete(k);
      feed.stop();
    }
  }

  private release(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    for (const k of connection.subscriptions.keys()) this.leave(k, connection);
    connection.subscriptions.clear();
  }

  private becameLive(feed: Feed): void {
    const wasLive = feed.state === 'live';
    feed.state = 'live';
    feed.lastError = null;
    if (wasLive) return;
    for (const connection of feed.connections) this.send(connection, { type: 'subscribed', channel: feed.channel, environmentId: feed.environmentId });
  }

  private failed(feed: Feed, error: unknown): void {
    const wire = toWireError(error);
    if (wire.unexpected) this.options.onError(error);
    feed.state = 'failed';
    feed.lastError = wire.body;
    for (const connection of feed.connections) this.send(connection, { type: 'error', environmentId: feed.environmentId, error: wire.body });
  }

  private eventsFeed(environmentId: string): Feed {
    const k = key('events', environmentId);
    let unsubscribe: Unsubscribe | null = null;
    let retry: NodeJS.Timeout | undefined;
    let attempt = 0;
    /** Bumped by every (re)start and stop: a slow open that lost the race lets go of its store. */
    let generation = 0;
    const delay = this.options.retryDelay ?? feedRetryDelay;

    const start = (): void => {
      const mine = ++generation;
      feed.state = 'starting';
      this.options.ctx.stores.get(environmentId).then(
        (store) => {
          if (mine !== generation) return;
          unsubscribe = store.subscribe({ from: 'end' }, (events) => this.fanOutEvents(feed, k, environmentId, events));
          attempt = 0;
          this.becameLive(feed);
        },
        (error: unknown) => {
          if (mine !== generation) return;
          this.failed(feed, error);
          // A removed environment will not come back: say so once, do not retry.
          if (error instanceof ConsoleError && error.code === 'NOT_FOUND') return;
          retry = setTimeout(start, delay(attempt++));
          retry.unref();
        },
      );
    };
    const halt = (): void => {
      generation++;
      clearTimeout(retry);
      unsubscribe?.();
      unsubscribe = null;
    };
    const feed: Feed = {
      channel: 'events',
      environmentId,
      connections: new Set(),
      state: 'starting',
      lastError: null,
      stop: halt,
      restart: () => {
        halt();
        attempt = 0;
        start();
      },
    };
    start();
    return feed;
  }

  private statsFeed(k: string, environmentId: string): Feed {
    let busy = false;
    const tick = (): void => {
      // A slow backend must not pile up snapshots: skip ticks while one is in flight.
      if (busy) return;
      busy = true;
      snapshotFor(this.options.ctx, environmentId)
        .then((payload) => {
          if (!this.feeds.has(k)) return;
          this.becameLive(feed);
          for (const connection of feed.connections) {
            if (connection.socket.bufferedAmount > MAX_BUFFERED_BYTES) continue;
            this.send(connection, { type: 'stats', ...payload });
          }
        })
        .catch((error: unknown) => {
          if (this.feeds.has(k)) this.failed(feed, error);
        })
        .finally(() => {
          busy = false;
        });
    };
    // Each tick asks the pool for the store, so a replaced store is picked up by the next one.
    const timer = setInterval(tick, STATS_INTERVAL_MS);
    const feed: Feed = {
      channel: 'stats',
      environmentId,
      connections: new Set(),
      state: 'starting',
      lastError: null,
      stop: () => clearInterval(timer),
      restart: () => undefined,
    };
    queueMicrotask(tick);
    return feed;
  }

  private fanOutEvents(feed: Feed, k: string, environmentId: string, events: StoredEvent[]): void {
    const masked = this.options.ctx.registry.list().find((e) => e.id === environmentId)?.masked ?? true;
    for (const connection of feed.connections) {
      const subscription = connection.subscriptions.get(k);
      if (!subscription) continue;
      if (connection.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        subscription.dropped += events.length;
        continue;
      }
      const mask = masked && !subscription.reveal;
      const visible = mask ? events.map(maskEvent) : events;
      // Only the newest events of a huge batch are sent; the rest count as dropped.
      const sent = visible.slice(-MAX_EVENTS_PER_MESSAGE);
      const dropped = subscription.dropped + (visible.length - sent.length);
      subscription.dropped = 0;
      this.send(connection, { type: 'events', environmentId, events: sent, masked: mask, ...(dropped > 0 ? { dropped } : {}) });
    }
  }

  private send(connection: Connection, message: LiveServerMessage): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(JSON.stringify(message));
  }

  /** Feeds currently running (tests check that they are released). */
  get activeFeeds(): number {
    return this.feeds.size;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.stopReplaced();
    for (const connection of this.connections) connection.socket.terminate();
    this.connections.clear();
    for (const feed of this.feeds.values()) feed.stop();
    this.feeds.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

