/**
 * The console server: one HTTP server on 127.0.0.1 serving the typed API under /api/, the live
 * WebSocket at /api/ws and the renderer build, all behind the same gate (Host, Origin, token).
 * Electron starts it in-process; `npm start` runs it in web mode (see cli.ts).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { seedDemoConversations } from '../demo/seed.js';
import { openStore as defaultOpenStore } from '../index.js';
import type { ApiResponse } from './api.js';
import { checkRequest, contentSecurityPolicy, firstHeader, gateRequestOf, newToken } from './auth.js';
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

export interface ConsoleServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
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
}

export interface ConsoleServer {
  /** The URL to open, token included. */
  url: string;
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

function securityHeaders(res: ServerResponse, port: number): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ConsoleError('BAD_REQUEST', 'The request body is too large.', { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
  const live = new LiveSocket({ ctx, token, port: () => port, onError: (error) => log(`live: ${describeForLog(error)}`) });

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
    securityHeaders(res, port);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const decision = checkRequest(
      gateRequestOf(req),
      { token, port, allowQueryToken: !isApi },
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

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

  return { url: `http://127.0.0.1:${port}/?token=${token}`, token, port, close };
}
