import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';

/** An echo server on a free loopback port. */
async function startEcho(): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return { port: address.port, server, sockets };
}

async function connect(port: number): Promise<Socket> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Sends `text` and resolves with the first `text.length` bytes back (bounded by 5 s). */
function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const timer = setTimeout(() => reject(new Error('no reply within 5 s')), 5_000);
    const onData = (chunk: Buffer): void => {
      reply += chunk.toString('utf8');
      if (reply.length >= text.length) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(reply);
      }
    };
    socket.on('data', onData);
    socket.write(text);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('not closed within 5 s')), 5_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('delay proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(options: { delayMs?: number; fraction?: number; maxConnections?: number } = {}): Promise<{ proxy: DelayProxy; echo: Awaited<ReturnType<typeof startEcho>> }> {
    const echo = await startEcho();
    cleanups.push(async () => {
      for (const socket of echo.sockets) socket.destroy();
      await new Promise<void>((resolve) => echo.server.close(() => resolve()));
    });
    const proxy = await startDelayProxy({ targetPort: echo.port, ...options });
    cleanups.push(() => proxy.stop());
    return { proxy, echo };
  }

  it('forwards both ways', async () => {
    const { proxy } = await setup();
    const socket = await connect(proxy.port);
    cleanups.push(async () => void socket.destroy());
    expect(await roundTrip(socket, 'hello')).toBe('hello');
    expect(proxy.stats()).toMatchObject({ connections: 1, chunks: 1, delayedChunks: 0 });
  });

  it('delays every reply, or exactly the given fraction of them, and keeps their order', async () => {
    const { proxy } = await setup({ delayMs: 5 });
    const socket = await connect(proxy.port);
    cleanups.push(async () => void socket.destroy());
    for (let i = 0; i < 4; i++) expect(await roundTrip(socket, `a${i}`)).toBe(`a${i}`);
    expect(proxy.stats().delayedChunks).toBe(4);
    proxy.setDelay(5, 0.3);
    for (let i = 0; i < 10; i++) expect(await roundTrip(socket, `b${i}`)).toBe(`b${i}`);
    expect(proxy.stats()).toMatchObject({ chunks: 14, delayedChunks: 4 + 3 });
    proxy.setDelay(0);
    expect(await roundTrip(socket, 'c')).toBe('c');
    expect(proxy.stats().delayedChunks).toBe(7);
    expect(() => proxy.setDelay(-1)).toThrow(RangeError);
    expect(() => proxy.setDelay(5, 2)).toThrow(RangeError);
  });

  it('closes every connection on stop, held replies included', async () => {
    const { proxy, echo } = await setup({ delayMs: 60_000 });
    const socket = await connect(proxy.port);
    socket.write('never answered');
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5_000;
      const poll = (): void => {
        if (proxy.stats().chunks > 0) return resolve();
        if (Date.now() > deadline) return reject(new Error('the echo never reached the proxy'));
        setTimeout(poll, 10);
      };
      poll();
    });
    await proxy.stop();
    await closed(socket);
    expect(proxy.stats().connections).toBe(0);
    await expect.poll(() => echo.sockets.size, { timeout: 5_000 }).toBe(0);
  });

  it('closes connections beyond maxConnections at once', async () => {
    const { proxy } = await setup({ maxConnections: 1 });
    const first = await connect(proxy.port);
    cleanups.push(async () => void first.destroy());
    const second = await connect(proxy.port);
    await closed(second);
    expect(await roundTrip(first, 'still here')).toBe('still here');
  });
});
