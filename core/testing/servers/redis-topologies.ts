/**
 * Multi-host Redis for tests, built from throwaway redis-server processes on free loopback ports:
 * a Cluster of three masters (`redis-cli --cluster create`) and a Sentinel setup (one master, one
 * replica, three sentinels). Each returns the URL the store takes for it and a `stop` that ends
 * every process it started.
 */
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { eventually } from '../contract/target.js';
import { freePort } from './free-port.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface RedisTopology {
  /** `redis+cluster://…` or `redis+sentinel://…/mymaster`. */
  url: string;
  stop(): Promise<void>;
}

/** Polls `check` (a failed call counts as not yet) until it holds, for up to 20 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  await eventually(() => check().catch(() => false), (ok) => ok, 20_000);
}

async function ask<T>(port: number, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    client.disconnect();
  }
}

/** Three masters sharing the 16,384 slots; the store reaches it through any of them. */
export async function startRedisCluster(): Promise<RedisTopology> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-node-timeout', '5000'] }));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 }).catch((error: unknown) => {
      throw new Error('redis-cli --cluster create failed (install redis-tools)', { cause: error });
    });
    for (const node of nodes) {
      await until(() => ask(node.port, async (c) => /cluster_state:ok/.test(String(await c.call('CLUSTER', 'INFO')))));
    }
    return {
      url: `redis+cluster://${addresses.join(',')}`,
      stop: async () => {
        await Promise.all(nodes.map((node) => node.stop()));
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
}

interface Sentinel {
  port: number;
  child: ChildProcess;
}

function startSentinel(dir: string, port: number, masterPort: number): Sentinel {
  // A sentinel rewrites its config file as it learns the topology: each gets its own.
  const config = join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} 2`,
      'sentinel down-after-milliseconds mymaster 5000',
      'sentinel failover-timeout mymaster 20000',
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  child.unref();
  return { port, child };
}

/** One master, one replica, three sentinels watching them as "mymaster". */
export async function startRedisSentinel(): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'scrollback-sentinel-'));
  const servers: RedisServer[] = [];
  const sentinels: Sentinel[] = [];
  const stop = async (): Promise<void> => {
    for (const sentinel of sentinels) sentinel.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const master = await startRedisServer();
    servers.push(master);
    servers.push(await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] }));
    for (let i = 0; i < 3; i++) sentinels.push(startSentinel(dir, await freePort(), master.port));
    for (const sentinel of sentinels) {
      await until(() =>
        ask(sentinel.port, async (c) => {
          const address = (await c.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[] | null;
          return address?.[1] === String(master.port);
        }),
      );
    }
    return { url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/mymaster`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
