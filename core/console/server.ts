/**
 * The console server: one HTTP server on a loopback address serving the typed API under /api/, the live
 * WebSocket at /api/ws and the renderer build, all behind the same gate (Host, Origin, token).
 * Electron starts it in-process; `npm start` runs it in web mode (see cli.ts).
 */
import { mkdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { seedDemoConversations } from '../demo/seed.js';
import { openStore as defaultOpenStore } from '../index.js';
import type { ApiResponse } from './api.js';
import { checkRequest, contentSecurityPolicy, DEFAULT_HOST, firstHeader, gateRequestOf, newToken } from './auth.js';
import { ConsoleError, describeForLog, toWireError } from './console-error.js';
import type { ConsoleContext } from './context.js';
import { EnvironmentRegistry } from './environments.js';
import { LiveSocket } from './live-socket.js';
import { dispatch } from './router.js';
import { KeyFileSecretBox, type SecretBox } from './secret-box.js';
import { NOT_BUILT_HTML, resolveStatic } from './static-files.js';
import { StorePool, type StoreOpener } from './store-pool.js';
import { TrafficSimulator } from './traffic.js';

const MAX_BODY_BYTES = 25 * 1024 * 1024;
/** How much of an oversized body is read (and dropped) so the client sees the 413. */
const MAX_DISCARD_BYTES = 4 * MAX_BODY_BYTES;

export interface ConsoleServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /**
   * The loopback address to listen on. Default 'random': a fresh 127.x.y.z per launch, falling
   * back to 127.0.0.1 where that address can't be bound (see `listenOnLoopback`).
   */
  host?: 'random' | string;
  /** Environments, the key file and the demo database live here. */
  dataDir: string;
  /** The renderer build (dist/renderer). */
  staticDir: string;
  /** Default: a random per-launch token. */
  token?: string;
  /** Default: AES-256-GCM with a key file in dataDir. Electron passes its safeStorage box. */
  secretBox?: SecretBox;
  openStore?: StoreOpener;
  /** Create the "Local demo" environment on first run (default true) with this many conversations. */
  demo?: false | { conversations?: number };
  fetch?: typeof fetch;
  /** Operational lines (never content, never secrets). Default: stderr. */
  log?: (line: string) => void;
  /** Live socket timing (tests): heartbeat interval and feed retry backoff. */
  live?: { heartbeatMs?: number; retryDelay?: (attempt: number) => number };
}

export interface ConsoleServer {
  /** The URL to open, token included. */
  url: string;
  /** `http://host:port`, no token. */
  origin: string;
  /** The loopback address the server listens on. */
  host: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export const DEMO_ENVIRONMENT_NAME = 'Local demo';

async function ensureDemo(registry: EnvironmentRegistry, stores: StorePool, dataDir: string, options: ConsoleServerOptions['demo']): Promise<void> {
  if (options === false || !registry.isEmpty()) return;
  const env = registry.create({
    name: DEMO_ENVIRONMENT_NAME,
    kind: 'local',
    connection: { sqlite: { path: join(dataDir, 'demo.sqlite') } },
    builtIn: true,
  });
  const store = await stores.get(env.id);
  const existing = await store.listConversations({ limit: 1, includeDeleted: true });
  if (existing.items.length === 0) await seedDemoConversations(store, { conversations: options?.conversations ?? 300 });
}

function securityHeaders(res: ServerResponse, port: number, host: string): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(port, host));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

function sendJson(res: ServerResponse, status: number, body: ApiResponse<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

class BodyTooLarge extends ConsoleError {
  constructor() {
    super('BAD_REQUEST', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB.`, { status: 413 });
  }
}

/**
 * Reads a body up to MAX_BODY_BYTES. Past the limit the rest is read and thrown away (up to a
 * bound) instead of resetting the connection, so the client gets to read the 413 answer; the
 * caller answers with `Connection: close`.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(firstHeader(req.headers['content-length']) ?? Number.NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > MAX_BODY_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        // A client that keeps sending far past the limit is cut off after all.
        if (size > MAX_DISCARD_BYTES) req.destroy();
        return;
      }
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    req.on('end', () => {
      ended = true;
      if (tooLarge) reject(new BodyTooLarge());
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
    // Cut off (or the client went away): settle, nobody is left to answer.
    req.on('close', () => {
      if (!ended) reject(new ConsoleError('BAD_REQUEST', 'The request body was not received in full.'));
    });
  });
}

/**
 * Listens on `host`, or on a random 127.x.y.z. Why a random address: browsers scope cookies by
 * host, not port, so a session cookie set by 127.0.0.1:PORT would be sent to every other server
 * on 127.0.0.1 (any dev server the user runs could read the console token). An address of its
 * own keeps the cookie to this console. Linux routes all of 127.0.0.0/8 to loopback; where a
 * system only answers on 127.0.0.1 (macOS by default) binding fails and 127.0.0.1 is used: the
 * cookie name still carries the port, and Bearer tokens stay available for scripts.
 */
async function listenOnLoopback(server: Server, port: number, host: string): Promise<string> {
  const listen = (address: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        resolve();
      });
    });
  if (host !== 'random') {
    await listen(host);
    return host;
  }
  const random = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  try {
    await listen(random);
    return random;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EADDRNOTAVAIL' && code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    await listen(DEFAULT_HOST);
    return DEFAULT_HOST;
  }
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const token = options.token ?? newToken();
  const box = options.secretBox ?? new KeyFileSecretBox(join(options.dataDir, 'secret.key'));
  const registry = new EnvironmentRegistry(options.dataDir, box);
  const stores = new StorePool(registry, options.openStore ?? defaultOpenStore);
  const traffic = new TrafficSimulator((id) => stores.get(id));
  const ctx: ConsoleContext = { registry, stores, traffic, fetch: options.fetch ?? fetch, log };

  let port = 0;
  let host: string = DEFAULT_HOST;
  const live = new LiveSocket({
    ctx,
    token,
    port: () => port,
    host: () => host,
    onError: (error) => log(`live: ${describeForLog(error)}`),
    ...(options.live?.heartbeatMs !== undefined ? { heartbeatMs: options.live.heartbeatMs } : {}),
    ...(options.live?.retryDelay !== undefined ? { retryDelay: options.live.retryDelay } : {}),
  });

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    try {
      if (req.method !== 'POST') throw new ConsoleError('BAD_REQUEST', 'API calls are POST requests.', { status: 405 });
      const type = firstHeader(req.headers['content-type']) ?? '';
      // JSON only: no form posts or other "simple" cross-site requests reach a handler.
      if (!type.toLowerCase().startsWith('application/json')) throw new ConsoleError('BAD_REQUEST', 'API calls send application/json.', { status: 415 });
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw new ConsoleError('BAD_REQUEST', 'The request body is not valid JSON.');
      }
      const data = await dispatch(method, body, ctx);
      sendJson(res, 200, { ok: true, data });
    } catch (error) {
      const wire = toWireError(error);
      if (wire.unexpected) log(`api ${method}: ${describeForLog(error)}`);
      // After an oversized body the connection is not reused: close it once the answer is out.
      if (error instanceof BodyTooLarge) res.setHeader('Connection', 'close');
      sendJson(res, wire.status, { ok: false, error: wire.body });
    }
  };

  const handleStatic = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed');
      return;
    }
    const file = resolveStatic(options.staticDir, pathname);
    if (file === null) {
      if (pathname === '/' || pathname === '/index.html') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(NOT_BUILT_HTML);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    file.stream().pipe(res);
  };

  const server = createServer((req, res) => {
    securityHeaders(res, port, host);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const decision = checkRequest(
      gateRequestOf(req),
      { token, port, host, allowQueryToken: !isApi },
    );
    if (decision.action === 'deny') {
      const code = decision.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN';
      const message = decision.status === 401 ? 'A valid console token is required.' : 'Requests must come from the console itself.';
      if (isApi) sendJson(res, decision.status, { ok: false, error: { code, message } });
      else res.writeHead(decision.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
      return;
    }
    if (decision.action === 'exchange') {
      res.writeHead(303, { Location: decision.location, 'Set-Cookie': decision.setCookie }).end();
      return;
    }
    if (isApi) {
      void handleApi(req, res, url.pathname.slice('/api/'.length));
      return;
    }
    handleStatic(req, res, url.pathname);
  });
  server.on('upgrade', (req, socket, head) => live.handleUpgrade(req, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  host = await listenOnLoopback(server, options.port ?? 0, options.host ?? 'random');
  port = (server.address() as AddressInfo).port;
  ctx.host = host;

  const close = async (): Promise<void> => {
    await live.close();
    await traffic.stopAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stores.closeAll();
  };

  try {
    await ensureDemo(registry, stores, options.dataDir, options.demo);
  } catch (error) {
    await close();
    throw error;
  }

  const origin = `http://${host}:${port}`;
  return { url: `${origin}/?token=${token}`, origin, host, token, port, close };
}
