/**
 * A reconnecting WebSocket to /api/ws. Subscriptions are remembered and replayed after every
 * reconnect, so screens subscribe once and stop caring about the connection. The server sends a
 * `heartbeat` message every few seconds (browsers never see protocol pings): a socket that stays
 * silent for longer than SILENCE_FACTOR heartbeats is taken for dead, closed and reopened.
 */
import type { LiveServerMessage } from './contract.js';

export type Channel = 'events' | 'stats';
export type ServerMessage = LiveServerMessage;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((this: SocketLike, ev: Event) => unknown) | null;
  onclose: ((this: SocketLike, ev: CloseEvent) => unknown) | null;
  onmessage: ((this: SocketLike, ev: MessageEvent) => unknown) | null;
  onerror: ((this: SocketLike, ev: Event) => unknown) | null;
}

export interface LiveSocketOptions {
  url?: string;
  createSocket?: (url: string) => SocketLike;
  /** Reconnect delays in ms, last one repeated. */
  backoffMs?: readonly number[];
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

type Listener = (message: ServerMessage) => void;
type StateListener = (state: ConnectionState) => void;

const OPEN = 1;
/** Missed heartbeats before the connection counts as dead. */
const SILENCE_FACTOR = 2.5;

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/ws`;
}

interface Subscription {
  channel: Channel;
  environmentId: string;
  reveal: boolean;
  count: number;
}

function subscriptionKey(channel: Channel, environmentId: string, reveal: boolean): string {
  return `${channel}\u0000${environmentId}\u0000${reveal ? 'r' : 'm'}`;
}

export class LiveSocket {
  private socket: SocketLike | null = null;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<StateListener>();
  private attempt = 0;
  private timer: unknown = null;
  private stopped = false;
  private watchdog: unknown = null;
  state: ConnectionState = 'closed';

  constructor(private readonly options: LiveSocketOptions = {}) {}

  start(): void {
    this.stopped = false;
    if (this.socket === null) this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearWatchdog();
    if (this.timer !== null) (this.options.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = null;
    this.socket?.close();
    this.socket = null;
    this.setState('closed');
  }

  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Reference-counted: two screens subscribing to the same channel share one server subscription. */
  subscribe(channel: Channel, environmentId: string, reveal = false): () => void {
    const key = subscriptionKey(channel, environmentId, reveal);
    const existing = this.subscriptions.get(key);
    if (existing) {
      existing.count += 1;
    } else {
      this.subscriptions.set(key, { channel, environmentId, reveal, count: 1 });
      this.send({ type: 'subscribe', channel, environmentId, reveal });
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const entry = this.subscriptions.get(key);
      if (!entry) return;
      entry.count -= 1;
      if (entry.count === 0) {
        this.subscriptions.delete(key);
        this.send({ type: 'unsubscribe', channel, environmentId });
        // The server keys subscriptions by channel and environment: restore a sibling's reveal mode.
        for (const other of this.subscriptions.values()) {
          if (other.channel === channel && other.environmentId === environmentId) {
            this.send({ type: 'subscribe', channel, environmentId, reveal: other.reveal });
          }
        }
      }
    };
  }

  activeSubscriptions(): Array<{ channel: Channel; environmentId: string; reveal: boolean }> {
    return [...this.subscriptions.values()].map(({ channel, environmentId, reveal }) => ({ channel, environmentId, reveal }));
  }

  private send(message: object): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private connect(): void {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    this.setState('connecting');
    const socket = create(this.options.url ?? defaultUrl());
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      for (const { channel, environmentId, reveal } of this.subscriptions.values()) {
        socket.send(JSON.stringify({ type: 'subscribe', channel, environmentId, reveal }));
      }
    };
    socket.onmessage = (event) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || !('type' in parsed)) return;
      const message = parsed as ServerMessage;
      if (message.type === 'heartbeat') {
        this.armWatchdog(socket, message.intervalMs);
        return;
      }
      for (const listener of this.listeners) listener(message);
    };
    socket.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.clearWatchdog();
      this.socket = null;
      this.setState('closed');
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  private clearWatchdog(): void {
    if (this.watchdog !== null) (this.options.clearTimer ?? clearTimeout)(this.watchdog as ReturnType<typeof setTimeout>);
    this.watchdog = null;
  }

  /** Each heartbeat pushes the deadline out; missing several means the server or the path is gone. */
  private armWatchdog(socket: SocketLike, intervalMs: number): void {
    this.clearWatchdog();
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) return;
    const setTimer = this.options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.watchdog = setTimer(() => {
      this.watchdog = null;
      if (this.socket !== socket) return;
      // A dead TCP path may never deliver the close: drop the socket and reconnect now.
      this.socket = null;
      socket.onclose = null;
      socket.close();
      this.setState('closed');
      if (!this.stopped) this.scheduleReconnect();
    }, intervalMs * SILENCE_FACTOR);
  }

  private scheduleReconnect(): void {
    const backoff = this.options.backoffMs ?? [250, 500, 1000, 2000, 5000];
    const delay = backoff[Math.min(this.attempt, backoff.length - 1)] ?? 5000;
    this.attempt += 1;
    const setTimer = this.options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.timer = setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }
}
