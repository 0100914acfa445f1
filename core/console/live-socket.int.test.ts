/**
 * The live feed keeps going: after its environment was edited (its store closed under it), after
 * a subscribe made while PostgreSQL was down (error first, `subscribed` once it is back, never
 * `subscribed` before), and the socket drops clients that stop answering pings.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openStore } from '../store/open-store.js';
import { startPostgresCluster, type PostgresCluster } from '../testing/servers/postgres-cluster.js';
import type { ApiResponse, ConsoleMethod, ConsoleOutputs, LiveServerMessage } from './api.js';
import { startConsoleServer, type ConsoleServer } from './server.js';

let server: ConsoleServer;
let cluster: PostgresCluster;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sb-live-'));
  const staticDir = join(dataDir, 'renderer');
  mkdirSync(staticDir, { recursive: true });
  // Its own cluster: this file kills and restarts it.
  cluster = await startPostgresCluster();
  server = await startConsoleServer({
    dataDir: join(dataDir, 'data'),
    staticDir,
    demo: false,
    log: () => undefined,
    live: { heartbeatMs: 200, retryDelay: () => 200 },
  });
});

afterAll(async () => {
  await server?.close();
  await cluster?.stop();
});

async function ok<M extends ConsoleMethod>(method: M, input: unknown): Promise<ConsoleOutputs[M]> {
  const response = await fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as ApiResponse<ConsoleOutputs[M]>;
  if (!body.ok) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
  return body.data;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Client {
  socket: WebSocket;
  messages: LiveServerMessage[];
  of(type: LiveServerMessage['type']): LiveServerMessage[];
}

async function connect(options: { autoPong?: boolean } = {}): Promise<Client> {
  const socket = new WebSocket(`ws://${server.host}:${server.port}/api/ws`, {
    headers: { authorization: `Bearer ${server.token}` },
    autoPong: options.autoPong ?? true,
  });
  const messages: LiveServerMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as LiveServerMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, of: (type) => messages.filter((m) => m.type === type) };
}

function subscribe(client: Client, environmentId: string): void {
  client.socket.send(JSON.stringify({ type: 'subscribe', channel: 'events', environmentId }));
}

function events(client: Client): string[] {
  return client.messages.flatMap((m) => (m.type === 'events' ? m.events.map((e) => e.conversationId) : []));
}

describe('the live events feed', () => {
  it('keeps delivering after its environment is edited', async () => {
    const path = join(dataDir, 'edited.sqlite');
    const env = await ok('environments.create', { name: 'Edited', kind: 'local', connection: { sqlite: { path } } });
    const client = await connect();
    subscribe(client, env.id);
    await until(() => client.of('subscribed').length === 1, 'subscribed');
    await ok('environments.update', { environmentId: env.id, name: 'Edited again' });

    const writer = await openStore({ sqlite: { path } });
    try {
      await writer.append('after-edit', [{ role: 'user', content: 'hello' }]);
      await until(() => events(client).includes('after-edit'), 'an event committed after the edit');
    } finally {
      await writer.close();
      client.socket.close();
    }
  });

  it('reports an error while PostgreSQL is down, never `subscribed`, and goes live once it is back', async () => {
    const env = await ok('environments.create', { name: 'Staging PG', kind: 'staging', connection: { postgres: { url: cluster.url } } });
    await cluster.kill();
    try {
      const first = await connect();
      subscribe(first, env.id);
      await until(() => first.of('error').length > 0, 'the first subscriber to hear the error');
      // A later subscriber joins the failed feed: it hears the error too, not `subscribed`.
      const second = await connect();
      subscribe(second, env.id);
      await until(() => second.of('error').length > 0, 'the second subscriber to hear the error');
      expect(first.of('subscribed')).toEqual([]);
      expect(second.of('subscribed')).toEqual([]);

      await cluster.start();
      await until(() => first.of('subscribed').length > 0 && second.of('subscribed').length > 0, 'the feed to go live after recovery', 30_000);
      const writer = await openStore({ postgres: { url: cluster.url } });
      try {
        await writer.append('after-recovery', [{ role: 'user', content: 'back' }]);
        await until(() => events(first).includes('after-recovery') && events(second).includes('after-recovery'), 'events after recovery');
      } finally {
        await writer.close();
        first.socket.close();
        second.socket.close();
      }
    } finally {
      await cluster.start().catch(() => undefined);
    }
  });
});

describe('the heartbeat', () => {
  it('keeps answering clients alive and drops one that stops answering pings', async () => {
    const healthy = await connect();
    const silent = await connect({ autoPong: false });
    let silentClosed = false;
    silent.socket.on('close', () => {
      silentClosed = true;
    });
    await until(() => silentClosed, 'the server to drop the client that does not answer pings', 5_000);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    // The browser cannot see pings: heartbeat messages tell it the server is there.
    await until(() => healthy.of('heartbeat').length >= 3, 'heartbeat messages');
    healthy.socket.close();
  });
});
