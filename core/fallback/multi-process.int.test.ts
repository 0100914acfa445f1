/**
 * Several processes sharing one outbox file while PostgreSQL dies under them (SIGKILL, and
 * `pg_ctl stop -m immediate`), and a drainer SIGKILLed mid-drain. What must hold afterwards: every
 * acknowledged message (appended or queued) is in the log exactly once, versions are gap-free, and
 * each process's appends to a conversation are in the log in the order it was acknowledged them.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresLog } from '../backends/postgres/postgres-log.js';
import type { EventLog } from '../backends/log.js';
import { tempDir } from '../backends/sqlite/test-support.js';
import type { StoredEvent } from '../events/types.js';
import { appendRequest, newMessage } from '../testing/log-requests.js';
import { eventually } from '../testing/contract/target.js';
import { startPostgresCluster, type PostgresCluster } from '../testing/servers/postgres-cluster.js';
import { createDrainer } from './drainer.js';
import { openOutbox } from './outbox.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Ack {
  conversationId: string;
  id: string;
  outcome: string;
}
interface Report {
  acks: Ack[];
  failures: string[];
  left: number;
}

interface Child {
  /** Every stdout line so far. */
  lines: string[];
  send(line: string): void;
  kill(): void;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function spawnFixture(name: string, args: string[]): Child {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { lines, send: (line) => child.stdin.write(`${line}\n`), kill: () => child.kill('SIGKILL'), exited };
}

/** The worker's latest progress line. */
function progress(child: Child): { appended: number; queued: number } {
  for (let i = child.lines.length - 1; i >= 0; i--) {
    const line = child.lines[i]!;
    if (line.startsWith('{"appended"')) return JSON.parse(line) as { appended: number; queued: number };
  }
  return { appended: 0, queued: 0 };
}

const all = { fromVersion: 1, toVersion: Number.MAX_SAFE_INTEGER, direction: 'forward', limit: 100_000 } as const;

/** Checks one conversation's log: gap-free, each acknowledged id once, per-process order kept. */
function checkConversation(events: StoredEvent[], acksByProcess: Ack[][]): void {
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  const position = new Map<string, number>();
  for (const [index, event] of events.entries()) {
    expect(position.has(event.eventId)).toBe(false);
    position.set(event.eventId, index);
  }
  for (const acks of acksByProcess) {
    const indexes = acks.map((ack) => position.get(ack.id));
    expect(indexes.every((index) => index !== undefined)).toBe(true);
    // Acknowledged order is log order.
    for (let i = 1; i < indexes.length; i++) expect(indexes[i]!).toBeGreaterThan(indexes[i - 1]!);
  }
}

describe('one outbox shared by several processes', () => {
  let postgres: PostgresCluster;
  let dir: ReturnType<typeof tempDir>;
  let log: EventLog;

  beforeAll(async () => {
    postgres = await startPostgresCluster();
    dir = tempDir();
    log = createPostgresLog({ url: postgres.url });
    await log.migrate();
  });
  afterAll(async () => {
    await log?.close();
    await postgres?.stop();
    dir?.remove();
  });

  it.each([
    ['SIGKILL', () => postgres.kill()],
    ['pg_ctl stop -m immediate', () => postgres.stopImmediate()],
  ])('PostgreSQL gone mid-traffic (%s): after restart and drain, every acknowledged message is in the log once, in order', async (how, stop) => {
    const outboxPath = join(dir.path, `traffic-${how.replace(/\W+/g, '-')}.sqlite`);
    const run = `${how.length}-${Date.now()}`;
    const workers = ['p1', 'p2'].map((tag) => spawnFixture('traffic-worker.ts', [postgres.url, outboxPath, `${tag}-${run}`, `shared-${run}`]));
    try {
      await eventually(() => workers.map((w) => progress(w).appended), (counts) => counts.every((n) => n >= 30), 30_000);
      await stop();
      try {
        const before = workers.map((w) => progress(w).queued);
        await eventually(() => workers.map((w, i) => progress(w).queued - before[i]!), (counts) => counts.every((n) => n >= 20), 30_000);
      } finally {
        await postgres.start();
      }
      // Traffic goes on across the restart and the drain.
      const atRestart = workers.map((w) => progress(w).appended + progress(w).queued);
      await eventually(() => workers.map((w, i) => progress(w).appended + progress(w).queued - atRestart[i]!), (n) => n.every((k) => k >= 30), 30_000);
      for (const worker of workers) worker.send('stop');
      const exits = await Promise.all(workers.map((w) => w.exited));
      for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });
      const reports = workers.map((w) => JSON.parse(w.lines.at(-1)!) as Report);

      for (const report of reports) {
        expect(report.failures).toEqual([]);
        expect(report.left).toBe(0);
        expect(report.acks.some((a) => a.outcome === 'queued')).toBe(true);
        expect(report.acks.some((a) => a.outcome === 'appended')).toBe(true);
      }
      const conversations = [...new Set(reports.flatMap((r) => r.acks.map((a) => a.conversationId)))];
      expect(conversations).toHaveLength(5);
      let total = 0;
      for (const conversationId of conversations) {
        const read = await log.read(conversationId, all);
        const events = (read?.events ?? []).filter((e) => e.type === 'message.appended');
        const acksByProcess = reports.map((r) => r.acks.filter((a) => a.conversationId === conversationId));
        checkConversation(read?.events ?? [], acksByProcess);
        // Nothing but acknowledged messages: no failure was retried into a duplicate.
        expect(events).toHaveLength(acksByProcess.flat().length);
        total += events.length;
      }
      expect(total).toBe(reports.reduce((sum, r) => sum + r.acks.length, 0));
      const outbox = openOutbox({ path: outboxPath });
      try {
        expect(outbox.counts()).toMatchObject({ queued: 0, deadLettered: 0 });
      } finally {
        outbox.close();
      }
    } finally {
      for (const worker of workers) worker.kill();
    }
  }, 120_000);

  it('a drainer SIGKILLed mid-drain loses and duplicates nothing once another process drains', async () => {
    const outboxPath = join(dir.path, 'crash.sqlite');
    const outbox = openOutbox({ path: outboxPath });
    const prefix = `crash-${Date.now()}`;
    const queued = new Map<string, string[]>();
    try {
      for (let i = 0; i < 1500; i++) {
        const conversationId = `${prefix}-${i % 5}`;
        const message = newMessage(`m${i}`);
        await outbox.enqueue(appendRequest(conversationId, [message]));
        queued.set(conversationId, [...(queued.get(conversationId) ?? []), message.id]);
      }
      const leaseMs = 1000;
      const victim = spawnFixture('drain-worker.ts', [postgres.url, outboxPath, String(leaseMs)]);
      await eventually(() => victim.lines.filter((l) => l.startsWith('drained')).length, (n) => n >= 100, 30_000);
      victim.kill();
      await victim.exited;
      const left = outbox.counts().queued;
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(1500);

      // Another process takes over once the dead drainer's lease expires.
      const drainer = createDrainer({ outbox, log, owner: 'survivor', logger: { warn: () => undefined, error: () => undefined }, leaseMs });
      await eventually(
        async () => {
          await drainer.drain();
          return outbox.counts().queued;
        },
        (n) => n === 0,
        30_000,
      );
      await drainer.stop();
      expect(outbox.counts().deadLettered).toBe(0);
      for (const [conversationId, ids] of queued) {
        const read = await log.read(conversationId, all);
        const messages = (read?.events ?? []).filter((e) => e.type === 'message.appended');
        expect(messages.map((e) => e.eventId)).toEqual(ids);
        expect(read?.events.map((e) => e.version)).toEqual(Array.from({ length: ids.length + 1 }, (_, i) => i + 1));
      }
    } finally {
      outbox.close();
    }
  }, 120_000);
});
