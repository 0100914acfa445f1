import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from './redis-server.js';

const clients: Redis[] = [];
const servers: RedisServer[] = [];

function connect(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 300,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('startRedisServer', () => {
  it('starts an empty, non-persistent server on a loopback port', async () => {
    const server = await startRedisServer();
    servers.push(server);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    const client = connect(server.url);
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(await client.dbsize()).toBe(0);
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
  });

  it('kill() loses the data and start() comes back empty on the same port', async () => {
    const server = await startRedisServer();
    servers.push(server);
    const before = connect(server.url);
    await before.connect();
    await before.set('k', 'v');
    await server.kill();
    await expect(before.get('k')).rejects.toThrow();

    await server.start();
    const after = connect(server.url);
    await after.connect();
    expect(await after.get('k')).toBeNull();
  });

  it('pause() makes commands time out and resume() answers again', async () => {
    const server = await startRedisServer();
    servers.push(server);
    const client = connect(server.url);
    await client.connect();
    server.pause();
    await expect(client.ping()).rejects.toThrow(/timed out/i);
    server.resume();
    // A fresh connection: the old one may still hold the late PONG of the timed-out command.
    const fresh = connect(server.url);
    await fresh.connect();
    expect(await fresh.ping()).toBe('PONG');
  });

  it('stop() ends the server, even a paused one', async () => {
    const server = await startRedisServer();
    server.pause();
    await server.stop();
    const client = connect(server.url);
    await expect(client.connect()).rejects.toThrow();
  });

  it('passes extra arguments through', async () => {
    const server = await startRedisServer({ args: ['--cluster-enabled', 'yes'] });
    servers.push(server);
    const client = connect(server.url);
    await client.connect();
    expect(await client.call('CLUSTER', 'KEYSLOT', 'foo')).toBe(12182);
  });

  it('refuses a port that is already taken', async () => {
    const first = await startRedisServer();
    servers.push(first);
    await expect(startRedisServer({ port: first.port, readyTimeoutMs: 5_000 })).rejects.toThrow(/in use/);
  });
});
