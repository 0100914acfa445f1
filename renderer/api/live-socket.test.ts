import { describe, expect, it } from 'vitest';
import { LiveSocket, type SocketLike } from './live-socket.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onerror: SocketLike['onerror'] = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.call(this, new Event('open'));
  }
  drop() {
    this.readyState = 3;
    this.onclose?.call(this, new Event('close') as CloseEvent);
  }
  receive(data: string) {
    this.onmessage?.call(this, new MessageEvent('message', { data }));
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const live = new LiveSocket({
    url: 'ws://x/api/ws',
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  return { live, sockets, timers };
}

describe('LiveSocket', () => {
  it('replays subscriptions after a reconnect, with backoff', () => {
    const { live, sockets, timers } = setup();
    const states: string[] = [];
    live.onState((s) => states.push(s));
    live.start();
    live.subscribe('stats', 'env-1');
    sockets[0]!.open();
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', channel: 'stats', environmentId: 'env-1', reveal: false }]);
    sockets[0]!.drop();
    expect(timers[0]?.ms).toBe(250);
    timers[0]!.fn();
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: 'subscribe', channel: 'stats', environmentId: 'env-1', reveal: false }]);
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);
  });

  it('reference-counts subscriptions and unsubscribes on the last release', () => {
    const { live, sockets } = setup();
    live.start();
    sockets[0]!.open();
    const a = live.subscribe('events', 'e');
    const b = live.subscribe('events', 'e');
    a();
    a();
    expect(sockets[0]!.sent).toHaveLength(1);
    b();
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: 'unsubscribe', channel: 'events', environmentId: 'e' });
    expect(live.activeSubscriptions()).toEqual([]);
  });

  it('delivers parsed messages and ignores garbage; stop() does not reconnect', () => {
    const { live, sockets, timers } = setup();
    const got: unknown[] = [];
    live.onMessage((m) => got.push(m));
    live.start();
    sockets[0]!.open();
    sockets[0]!.receive('not json');
    sockets[0]!.receive('{"type":"subscribed","channel":"stats","environmentId":"e"}');
    expect(got).toEqual([{ type: 'subscribed', channel: 'stats', environmentId: 'e' }]);
    live.stop();
    sockets[0]!.drop();
    expect(timers).toHaveLength(0);
  });

  it('reconnects when the server falls silent for several heartbeats', () => {
    const { live, sockets, timers } = setup();
    const states: string[] = [];
    live.onState((s) => states.push(s));
    live.start();
    live.subscribe('events', 'env-1');
    sockets[0]!.open();
    sockets[0]!.receive('{"type":"heartbeat","intervalMs":1000}');
    const watchdog = timers.at(-1)!;
    expect(watchdog.ms).toBe(2500);
    // The deadline passes with no further message: the socket is closed and a new one opened.
    watchdog.fn();
    expect(sockets[0]!.readyState).toBe(3);
    expect(states.at(-1)).toBe('closed');
    timers.at(-1)!.fn();
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: 'subscribe', channel: 'events', environmentId: 'env-1', reveal: false }]);
  });
});
