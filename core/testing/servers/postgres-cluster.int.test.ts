import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test-database.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('startPostgresCluster', () => {
  const clusters: PostgresCluster[] = [];
  afterAll(async () => {
    await Promise.all(clusters.map((cluster) => cluster.stop()));
  });

  it('starts on loopback, survives a crash with its data, and stops cleanly', async () => {
    const cluster = await startPostgresCluster();
    clusters.push(cluster);
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    const [settings] = await query<{ listen: string; max: string }>(
      cluster.url,
      "SELECT current_setting('listen_addresses') AS listen, current_setting('max_connections') AS max",
    );
    expect(settings).toEqual({ listen: '127.0.0.1', max: '200' });

    await query(cluster.url, 'CREATE TABLE kept (n int)');
    await query(cluster.url, 'INSERT INTO kept VALUES (42)');
    await query(cluster.url, 'CHECKPOINT');

    const held = new pg.Client({ connectionString: cluster.url });
    // 'on', not 'once': a dying connection may report more than one error.
    const heldError = new Promise<Error>((resolve) => held.on('error', resolve));
    await held.connect();
    await cluster.kill();
    // The crash drops existing connections and refuses new ones.
    await expect(heldError).resolves.toBeInstanceOf(Error);
    await held.end().catch(() => undefined);
    await expect(query(cluster.url, 'SELECT 1')).rejects.toThrow();

    await cluster.start();
    const rows = await query<{ n: number }>(cluster.url, 'SELECT n FROM kept');
    expect(rows).toEqual([{ n: 42 }]);

    const dataDir = (await query<{ d: string }>(cluster.url, "SELECT current_setting('data_directory') AS d"))[0]?.d;
    expect(dataDir).toBeDefined();
    await cluster.stop();
    expect(existsSync(dataDir ?? '/nonexistent-check')).toBe(false);
    await expect(query(cluster.url, 'SELECT 1')).rejects.toThrow();
  });

  it('stops immediately (pg_ctl stop -m immediate) and recovers its committed data on start', async () => {
    const cluster = await startPostgresCluster();
    clusters.push(cluster);
    await query(cluster.url, 'CREATE TABLE kept (n int)');
    await query(cluster.url, 'INSERT INTO kept VALUES (7)');
    await cluster.stopImmediate();
    await expect(query(cluster.url, 'SELECT 1')).rejects.toThrow();
    await cluster.start();
    expect(await query<{ n: number }>(cluster.url, 'SELECT n FROM kept')).toEqual([{ n: 7 }]);
  });

  it('pauses (queries hang) and resumes', async () => {
    const cluster = await startPostgresCluster();
    clusters.push(cluster);
    const client = new pg.Client({ connectionString: cluster.url, query_timeout: 300 });
    client.on('error', () => undefined);
    await client.connect();
    cluster.pause();
    await expect(client.query('SELECT 1')).rejects.toThrow(/timeout/i);
    cluster.resume();
    await client.end().catch(() => undefined);
    await expect(query(cluster.url, 'SELECT 2 AS n')).resolves.toEqual([{ n: 2 }]);
  });

  it('creates and force-drops per-test databases', async () => {
    const cluster = await startPostgresCluster();
    clusters.push(cluster);
    const database = await createTestDatabase(cluster.url);
    const name = new URL(database.url).pathname.slice(1);
    expect(name).toMatch(/^scrollback_test_[0-9a-f]{16}$/);
    const open = new pg.Client({ connectionString: database.url });
    open.on('error', () => undefined);
    await open.connect();
    await database.drop(); // FORCE: the open connection does not block the drop
    const left = await query(cluster.url, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    expect(left).toEqual([]);
    await open.end().catch(() => undefined);
    await database.drop();
  });
});
