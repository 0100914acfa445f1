import { request } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EnvironmentView, LiveServerMessage } from './api.js';
import { cookieName } from './auth.js';
import { DEMO_ENVIRONMENT_NAME, startConsoleServer, type ConsoleServer } from './server.js';
import { consoleTestClient } from './test-client.js';

let server: ConsoleServer;
let dataDir: string;
let demo: EnvironmentView;

const { raw, call, ok } = consoleTestClient(() => server);

/** Resolves with the status of a refused upgrade, or 101 when the socket opened. */
function upgradeStatus(headers: Record<string, string>, path = '/api/ws'): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://${server.host}:${server.port}${path}`, { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => undefined);
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sb-console-'));
  const staticDir = join(dataDir, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  server = await startConsoleServer({ dataDir: join(dataDir, 'data'), staticDir, demo: { conversations: 40 }, log: () => undefined });
  demo = (await ok('environments.list', {})).find((e) => e.name === DEMO_ENVIRONMENT_NAME) as EnvironmentView;
});

afterAll(async () => {
  await server?.close();
});

describe('the gate', () => {
  it('refuses API calls, static files and the WebSocket without the token (401)', async () => {
    const api = await raw('/api/environments.list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect((await raw('/')).status).toBe(401);
    expect((await raw('/assets/app.js')).status).toBe(401);
    expect((await raw('/', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect(await upgradeStatus({})).toBe(401);
    expect(await upgradeStatus({ authorization: `Bearer ${server.token}` })).toBe(101);
  });

  it('refuses a foreign Origin (403), on HTTP and on the WebSocket upgrade', async () => {
    const { status, body } = await call('environments.list', {}, { origin: 'http://evil.example' });
    expect(status).toBe(403);
    expect(body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await upgradeStatus({ authorization: `Bearer ${server.token}`, origin: 'http://evil.example' })).toBe(403);
    expect((await call('environments.list', {}, { origin: `${server.origin}` })).status).toBe(200);
  });

  it('refuses a forged Host (403), on HTTP and on the WebSocket upgrade', async () => {
    const { status } = await call('environments.list', {}, { host: `attacker.example:${server.port}` });
    expect(status).toBe(403);
    expect(await upgradeStatus({ authorization: `Bearer ${server.token}`, host: `attacker.example:${server.port}` })).toBe(403);
  });

  it('trades the query token for a cookie, then serves the app with a strict CSP and no CORS headers', async () => {
    const first = await raw(`/?token=${server.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const cookie = `${cookieName(server.port)}=${server.token}`;
    const page = await raw('/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect((await raw('/conversations/demo-0001', { headers: { cookie } })).body).toContain('<title>console</title>');
    expect((await raw('/assets/app.js', { headers: { cookie } })).headers['content-type']).toContain('javascript');
    expect((await raw('/../../etc/passwd', { headers: { cookie } })).body).not.toContain('root:');
    // An API call carries the cookie, not a query token.
    expect((await raw(`/api/environments.list?token=${server.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('redirects the token exchange only within its own origin', async () => {
    const res = await raw(`/.//evil.com/?token=${server.token}`);
    expect(res.status).toBe(303);
    const location = String(res.headers.location);
    expect(new URL(location, server.origin).origin).toBe(server.origin);
    expect(location).not.toMatch(/^[/\\]{2}/);
  });

  it('answers an oversized body with 413 instead of resetting the connection', async () => {
    const big = `{"jsonl":"${'x'.repeat(27 * 1024 * 1024)}"}`;
    const res = await raw('/api/conversation.import', { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // The same with no declared length (chunked).
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: server.host, port: server.port, path: '/api/conversation.import', method: 'POST', headers: { host: `${server.host}:${server.port}`, authorization: `Bearer ${server.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(1024 * 1024);
      for (let i = 0; i < 27; i++) req.write(chunk);
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it('listens on its own loopback address, so its cookie is not sent to other servers on 127.0.0.1', async () => {
    // Linux routes all of 127.0.0.0/8 to loopback: the random address binds here.
    expect(server.host).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(server.host).not.toBe('127.0.0.1');
    expect(server.url.startsWith(`http://${server.host}:${server.port}/?token=`)).toBe(true);
    // A request naming 127.0.0.1 as its Host is another site now.
    expect((await call('environments.list', {}, { host: `127.0.0.1:${server.port}` })).status).toBe(403);
  });

  it('refuses non-JSON API calls (no form posts)', async () => {
    const res = await raw('/api/environments.list', { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(415);
  });
});

describe('the API', () => {
  it('lists the demo conversations of the first-run environment', async () => {
    expect(demo).toMatchObject({ kind: 'local', readOnly: false, builtIn: true });
    const page = await ok('conversations.list', { environmentId: demo.id, limit: 25 });
    expect(page.items).toHaveLength(25);
    expect(page.nextCursor).toBeDefined();
    expect(page.masked).toBe(false);
    const rest = await ok('conversations.list', { environmentId: demo.id, limit: 25, cursor: page.nextCursor });
    expect(page.items.length + rest.items.length).toBeGreaterThanOrEqual(39);
    const info = await ok('conversation.get', { environmentId: demo.id, conversationId: 'demo-0001' });
    const events = await ok('conversation.read', { environmentId: demo.id, conversationId: 'demo-0001' });
    expect(events.events.length).toBe(info.version);
  });

  it('refuses writes on a read-only environment, in the server, and masks its content', async () => {
    const prod = await ok('environments.create', { name: 'Prod copy', kind: 'production', connection: { sqlite: { path: join(dataDir, 'data', 'demo.sqlite') } } });
    expect(prod.readOnly).toBe(true);
    const rename = await call('conversation.rename', { environmentId: prod.id, conversationId: 'demo-0002', title: 'hacked' });
    expect(rename.status).toBe(403);
    expect(rename.body).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    expect((await ok('conversation.get', { environmentId: demo.id, conversationId: 'demo-0002' })).title).not.toBe('hacked');
    const evict = await call('cache.evict', { environmentId: prod.id, conversationId: 'demo-0002' });
    expect(evict.body).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });

    const masked = await ok('conversation.stateAt', { environmentId: prod.id, conversationId: 'demo-0002', version: 3 });
    expect(masked.masked).toBe(true);
    const clear = await ok('conversation.stateAt', { environmentId: demo.id, conversationId: 'demo-0002', version: 3 });
    for (const [i, message] of masked.messages.entries()) {
      const original = clear.messages[i]?.content ?? '';
      if (original !== '') expect(message.content).not.toBe(original);
    }
    const revealed = await ok('conversation.stateAt', { environmentId: prod.id, conversationId: 'demo-0002', version: 3, reveal: true });
    expect(revealed.messages).toEqual(clear.messages);
  });

  it('exports from one environment and imports into another with content masked', async () => {
    const exported = await ok('conversation.export', { environmentId: demo.id, conversationId: 'demo-0003' });
    const target = await ok('environments.create', { name: 'Scratch', kind: 'local', connection: { sqlite: { path: join(dataDir, 'scratch.sqlite') } } });
    const imported = await ok('conversation.import', { environmentId: target.id, jsonl: exported.jsonl });
    expect(imported).toMatchObject({ conversationId: 'demo-0003', masked: true });
    const original = await ok('conversation.stateAt', { environmentId: demo.id, conversationId: 'demo-0003', version: exported.events });
    const copy = await ok('conversation.tail', { environmentId: target.id, conversationId: 'demo-0003', n: 200 });
    expect(copy.messages.map((m) => m.id)).toEqual(original.messages.map((m) => m.id));
    expect(copy.messages.some((m) => m.content !== '' && m.content.startsWith('[masked'))).toBe(true);
    const again = await call('conversation.import', { environmentId: target.id, jsonl: exported.jsonl });
    expect(again.body).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'conversationId' } });
  });

  it('plays a turn and streams its events over the WebSocket', async () => {
    const socket = new WebSocket(`ws://${server.host}:${server.port}/api/ws`, { headers: { authorization: `Bearer ${server.token}` } });
    const messages: LiveServerMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => resolve());
      socket.on('error', reject);
    });
    const subscribed = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as LiveServerMessage;
        messages.push(message);
        if (message.type === 'subscribed') resolve();
      });
    });
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'events', environmentId: demo.id }));
    await subscribed;
    const sawEvents = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as LiveServerMessage;
        if (message.type === 'events' && message.events.some((e) => e.conversationId.startsWith('playground-'))) resolve();
      });
    });
    const turn = await ok('playground.send', { environmentId: demo.id, content: 'What time is it?', responder: { kind: 'scripted' } });
    await sawEvents;
    expect(turn.assistant.role).toBe('assistant');
    expect(turn.history.source).toBe('log');
    socket.close();
  });
});

describe('environments over real servers', () => {
  it('tests a hybrid profile and reads its live stats', async () => {
    const env = await ok('environments.create', { name: 'Hybrid', kind: 'staging', readOnly: false, connection: { postgres: { url: inject('databaseUrl') }, redis: { url: inject('redisUrl') } } });
    const test = await ok('environments.test', { environmentId: env.id });
    expect(test).toMatchObject({ ok: true, status: 'up' });
    await ok('playground.send', { environmentId: env.id, content: 'hello', responder: { kind: 'scripted' } });
    const snapshot = await ok('live.snapshot', { environmentId: env.id });
    expect(snapshot.mode).toBe('hybrid');
    expect(snapshot.server?.version).toMatch(/^\d+\./);
    expect(snapshot.local.appends).toBeGreaterThan(0);
  });

  it('explains a refused connection in words', async () => {
    const test = await ok('environments.test', { connection: { postgres: { url: 'postgres://app:secret@127.0.0.1:1/none' } } });
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/refused/);
    expect(test.message).not.toContain('secret');
  });
});
