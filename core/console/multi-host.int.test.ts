/**
 * Environments on a real Redis Cluster (three masters) and a real Sentinel setup (one master, one
 * replica, three sentinels): the console takes their multi-host URLs, tests the connection through
 * the same client the store uses, browses, compares cache with log and reads live stats.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisCluster, startRedisSentinel, type RedisTopology } from '../testing/servers/redis-topologies.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { startConsoleServer, type ConsoleServer } from './server.js';
import { consoleTestClient } from './test-client.js';

let server: ConsoleServer;
let cluster: RedisTopology;
let sentinel: RedisTopology;
let database: TestDatabase;
const { ok } = consoleTestClient(() => server);

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-console-multi-'));
  const staticDir = join(dataDir, 'renderer');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  [cluster, sentinel, database] = await Promise.all([startRedisCluster(), startRedisSentinel(), createTestDatabase(inject('databaseUrl'))]);
  server = await startConsoleServer({ dataDir: join(dataDir, 'data'), staticDir, log: () => undefined });
}, 90_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([cluster?.stop(), sentinel?.stop(), database?.drop()]);
});

describe.each([
  ['Cluster', () => cluster, 'cluster'],
  ['Sentinel', () => sentinel, 'sentinel'],
] as const)('an environment on Redis %s', (name, topology, kind) => {
  it('connects, browses, compares cache with log and shows live stats', async () => {
    const url = topology().url;
    const env = await ok('environments.create', {
      name: `Staging on ${name}`,
      kind: 'staging',
      readOnly: false,
      connection: { postgres: { url: database.url }, redis: { url } },
    });
    expect(env.connection.redis).toMatchObject({ topology: kind, url });
    expect(env.connection.redis?.hosts).toHaveLength(3);
    const test = await ok('environments.test', { environmentId: env.id });
    expect(test).toMatchObject({ ok: true, status: 'up' });
    expect(test.backends.redis?.message).toContain(kind === 'sentinel' ? 'via sentinels' : 'cluster seeds');

    const turn = await ok('playground.send', { environmentId: env.id, content: `hello ${name}`, responder: { kind: 'scripted' } });
    const listed = await ok('conversations.list', { environmentId: env.id });
    expect(listed.items.map((item) => item.conversationId)).toContain(turn.conversationId);
    await ok('conversation.tail', { environmentId: env.id, conversationId: turn.conversationId });
    const report = await ok('cache.inspect', { environmentId: env.id, conversationId: turn.conversationId });
    expect(report.verdict).toBe('consistent');
    const snapshot = await ok('live.snapshot', { environmentId: env.id });
    expect(snapshot).toMatchObject({ mode: 'hybrid', serverError: null });
    expect(snapshot.server?.version).toMatch(/^\d+\./);
  });
});
