import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../log.js';
import { createSqliteLog } from './sqlite-log.js';
import { tempDir } from './test-support.js';
import { loadMigrations } from './migrate.js';

const WORKER = fileURLToPath(new URL('./fixtures/append-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Acknowledged = { id: string; version: number }[];

interface Worker {
  /** Resolves once the worker has opened and migrated the file. */
  ready: Promise<void>;
  /** Tells the worker to start appending. */
  go(): void;
  /** The appends it was acknowledged, once it exits. */
  done: Promise<Acknowledged>;
}

function startWorker(path: string, conversationId: string, count: number, tag: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, path, conversationId, String(count), tag], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<Acknowledged>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`worker ${tag} exited with ${String(code)}: ${stderr}`));
      else resolve(JSON.parse(stdout.slice('ready\n'.length)) as Acknowledged);
    });
  });
  // A worker that dies before it is ready must fail the test, not leave it waiting.
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end('go\n'), done };
}

async function runWorkers(path: string, conversationId: string, count: number, tags: string[]): Promise<Acknowledged[]> {
  const workers = tags.map((tag) => startWorker(path, conversationId, count, tag));
  await Promise.all(workers.map((w) => w.ready));
  for (const worker of workers) worker.go();
  return Promise.all(workers.map((w) => w.done));
}

describe('several processes on one file', () => {
  let dir: ReturnType<typeof tempDir>;
  let log: EventLog | undefined;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    await log?.close();
    dir.remove();
  });

  it('migrate once, and append to one conversation gap-free with nothing lost', async () => {
    const path = join(dir.path, 'shared.db');
    const perWorker = 150;
    const tags = ['w1', 'w2', 'w3'];
    const results = await runWorkers(path, 'shared', perWorker, tags);

    const raw = new SqliteDatabase(path, { readonly: true });
    try {
      const migrations = raw.prepare('SELECT name FROM scrollback_migrations').all();
      // Each file recorded once, though three processes raced to apply them.
      expect(migrations).toEqual(loadMigrations().map((m) => ({ name: m.name })));
    } finally {
      raw.close();
    }

    log = createSqliteLog({ path });
    await log.migrate();
    const read = await log.read('shared', { fromVersion: 1, toVersion: Number.MAX_SAFE_INTEGER, direction: 'forward', limit: 10_000 });
    const events = read?.events ?? [];
    const total = tags.length * perWorker;
    expect(read?.version).toBe(total + 1);
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    // Commit order is position order: versions and positions rise together.
    for (let i = 1; i < events.length; i++) expect(events[i]!.position).toBeGreaterThan(events[i - 1]!.position);

    const stored = new Map(events.map((e) => [e.eventId, e.version]));
    const acknowledged = results.flat();
    expect(acknowledged).toHaveLength(total);
    for (const { id, version } of acknowledged) expect(stored.get(id)).toBe(version);
    expect((await log.getConversation('shared'))?.messageCount).toBe(total);
  }, 60_000);

  it('wakes a listener when another process commits', async () => {
    const path = join(dir.path, 'wake.db');
    log = createSqliteLog({ path });
    await log.migrate();
    const current = log;
    const woken = new Promise<void>((resolve) => {
      const stop = current.onWake(() => {
        stop();
        resolve();
      });
    });
    await runWorkers(path, 'other-process', 1, ['w']);
    await woken;
    const batch = await log.readAll('start', 10);
    expect(batch.events.map((e) => e.conversationId)).toEqual(['other-process', 'other-process']);
  }, 30_000);
});
