/**
 * The `scrollback` CLI as a user runs it: each command in a child process (`node --import tsx
 * core/cli/main.ts …`) against throwaway PostgreSQL and Redis servers and temporary SQLite files,
 * configured through the environment only. LangChain's own history classes write the source data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisChatMessageHistory } from '@langchain/community/stores/message/ioredis';
import { PostgresChatMessageHistory } from '@langchain/community/stores/message/postgres';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MessagePart, StoredEvent } from '../events/types.js';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';
import { eventually, newId } from '../testing/contract/target.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

type Env = Record<string, string>;

function baseEnv(extra: Env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SCROLLBACK_|TEST_)/u.test(key) || key === 'DATABASE_URL' || key === 'REDIS_URL') continue;
    env[key] = value;
  }
  return { ...env, NODE_NO_WARNINGS: '1', ...extra };
}

function start(args: string[], env: Env): ChildProcess & { out: Run } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  return Object.assign(child, { out });
}

function exited(child: ChildProcess & { out: Run }): Promise<Run> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ ...child.out, code, signal }));
  });
}

function cli(args: string[], env: Env): Promise<Run> {
  return exited(start(args, env));
}

function jsonLines(text: string): StoredEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StoredEvent);
}

let dir: string;
let target: TestDatabase;
let hybridEnv: Env;
const databases: TestDatabase[] = [];
const stores: ConversationStore[] = [];

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase(inject('databaseUrl'));
  databases.push(db);
  return db;
}

async function store(env: Env): Promise<ConversationStore> {
  const opened = await openStore(
    env.SCROLLBACK_SQLITE_PATH !== undefined
      ? { sqlite: { path: env.SCROLLBACK_SQLITE_PATH } }
      : { postgres: { url: env.SCROLLBACK_DATABASE_URL as string }, ...(env.SCROLLBACK_REDIS_URL ? { redis: { url: env.SCROLLBACK_REDIS_URL } } : {}) },
  );
  stores.push(opened);
  return opened;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-cli-'));
  target = await database();
  hybridEnv = { SCROLLBACK_DATABASE_URL: target.url, SCROLLBACK_REDIS_URL: inject('redisUrl') };
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(databases.map((db) => db.drop()));
  await rm(dir, { recursive: true, force: true });
});

describe('usage and failures', () => {
  it('exits 2 with usage on an unknown command or flag, 0 on --help', async () => {
    const unknown = await cli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: scrollback <command>');
    const flag = await cli(['stats', '--colour'], {});
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--colour'");
    expect(flag.stderr).toContain('Usage: scrollback stats');
    const help = await cli(['import', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--from langchain-redis');
  });

  it('exits 1 with one line, no stack and no password, when a backend cannot be reached', async () => {
    const run = await cli(['stats'], { SCROLLBACK_DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/nowhere' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^scrollback: BACKEND_UNAVAILABLE/u);
    expect(run.stderr).not.toContain('hunter2');
    expect(run.stderr).not.toContain('    at ');
    const verbose = await cli(['stats', '--verbose'], { SCROLLBACK_DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/nowhere' });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain('    at ');
    expect(verbose.stderr).not.toContain('hunter2');
    const unconfigured = await cli(['stats'], {});
    expect(unconfigured.code).toBe(1);
    expect(unconfigured.stderr).toContain('SCROLLBACK_DATABASE_URL');
  });
});

describe('migrate', () => {
  it('lists pending migrations, applies them, then reports up to date (PostgreSQL)', async () => {
    const env = { SCROLLBACK_DATABASE_URL: (await database()).url };
    const before = await cli(['migrate', '--status'], env);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/pending\s+0001_init\.sql/u);
    const applied = await cli(['migrate'], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('applied 0001_init.sql');
    const again = await cli(['migrate'], env);
    expect(again.stdout).toContain('up to date');
    const after = await cli(['migrate', '--status'], env);
    expect(after.stdout).toMatch(/applied\s+0001_init\.sql/u);
    expect(after.stdout).not.toContain('pending');
  });

  it('does the same for SQLite, and --status does not create the file', async () => {
    const env = { SCROLLBACK_SQLITE_PATH: join(dir, 'migrate.db') };
    expect((await cli(['migrate', '--status'], env)).stdout).toMatch(/pending\s+0001_init/u);
    await expect(readFile(env.SCROLLBACK_SQLITE_PATH)).rejects.toThrow();
    expect((await cli(['migrate'], env)).stdout).toContain('applied 0001_init');
    expect((await cli(['migrate'], env)).stdout).toContain('up to date');
  });
});

describe('import from LangChain', () => {
  it('imports RedisChatMessageHistory lists, oldest first, once', async () => {
    const sourceUrl = `${inject('redisUrl')}/7`;
    const redis = new Redis(sourceUrl);
    await redis.flushdb();
    const a = newId('lc-redis');
    const b = newId('lc-redis');
    const history = new RedisChatMessageHistory({ sessionId: a, client: redis });
    await history.addMessages([
      new SystemMessage('You are terse.'),
      new HumanMessage('What is 6 x 7?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'calc', args: { expr: '6*7' } }] }),
      new ToolMessage({ content: '42', tool_call_id: 'call_1' }),
      new AIMessage('42.'),
    ]);
    await new RedisChatMessageHistory({ sessionId: b, client: redis }).addMessage(new HumanMessage('hello'));
    await redis.set('not-a-history', 'x');
    await redis.lpush('queue:jobs', 'job-1');
    await redis.quit();

    const first = await cli(['import', '--from', 'langchain-redis', sourceUrl], hybridEnv);
    expect(first.stderr).toContain('6 messages in 2 conversations (2 keys skipped');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('6 messages written, 0 already stored');
    const again = await cli(['import', '--from', 'langchain-redis', sourceUrl], hybridEnv);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('0 messages written, 6 already stored');

    const s = await store(hybridEnv);
    const messages = await s.tail(a, 50);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'You are terse.'],
      ['user', 'What is 6 x 7?'],
      ['assistant', ''],
      ['tool', '42'],
      ['assistant', '42.'],
    ]);
    expect(messages[2]?.metadata).toMatchObject({ langchain: { type: 'ai', tool_calls: [{ name: 'calc', args: { expr: '6*7' } }] } });
    expect(messages[3]?.metadata).toMatchObject({ langchain: { type: 'tool', tool_call_id: 'call_1' } });
    expect((await s.getConversation(b))?.messageCount).toBe(1);
  });

  it('imports PostgresChatMessageHistory rows, from the default table and a named one', async () => {
    const source = await database();
    const pool = new pg.Pool({ connectionString: source.url, max: 2 });
    const a = newId('lc-pg');
    const history = new PostgresChatMessageHistory({ sessionId: a, pool });
    await history.addMessage(new HumanMessage('first'));
    await history.addMessage(new AIMessage({ content: 'second', id: '0b5e2a5c-0d9a-4c1e-9f57-3c1c2f0e6d11' }));
    await history.addMessage(new HumanMessage('third'));
    const named = newId('lc-pg');
    await new PostgresChatMessageHistory({ sessionId: named, pool, tableName: 'chat_memory' }).addMessage(new HumanMessage('elsewhere'));
    await pool.end();

    const run = await cli(['import', '--from', 'langchain-postgres', source.url], hybridEnv);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('3 messages written');
    const s = await store(hybridEnv);
    const messages = await s.tail(a, 10);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'first'],
      ['assistant', 'second'],
      ['user', 'third'],
    ]);
    // LangChain's own UUID is kept as the message id.
    expect(messages[1]?.id).toBe('0b5e2a5c-0d9a-4c1e-9f57-3c1c2f0e6d11');
    expect((await cli(['import', '--from', 'langchain-postgres', source.url], hybridEnv)).stderr).toContain('3 already stored');

    const other = await cli(['import', '--from', 'langchain-postgres', '--table', 'chat_memory', '--user', 'u-lc', source.url], hybridEnv);
    expect(other.code).toBe(0);
    expect(await s.getConversation(named)).toMatchObject({ userId: 'u-lc', messageCount: 1 });
    const missing = await cli(['import', '--from', 'langchain-postgres', '--table', 'nope', source.url], hybridEnv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--table: nope does not exist');
  });
});

describe('export and import --from jsonl', () => {
  it('round-trips messages, owners, renames, redactions and soft deletes; --mask blanks content; --user filters', async () => {
    const sourceEnv = { SCROLLBACK_DATABASE_URL: (await database()).url };
    const s = await store(sourceEnv);
    const a = newId('rt');
    const b = newId('rt');
    const first = await s.append(a, [
      { role: 'user', content: 'my card is 4111', metadata: { channel: 'web' } },
      { role: 'assistant', content: 'noted', metadata: { model: 'm1', tokens: 3 } },
    ], { userId: 'alice' });
    await s.rename(a, 'Billing');
    await s.redact(a, first.messages[0]?.id as string, { mode: 'mask', reason: 'pci', by: 'ops' });
    await s.append(a, { role: 'user', content: 'thanks\nbye' });
    await s.append(b, { role: 'user', content: 'gone soon' }, { userId: 'bob' });
    await s.deleteConversation(b);

    const file = join(dir, 'export.jsonl');
    const exported = await cli(['export', '--out', file], sourceEnv);
    expect(exported.code).toBe(0);
    const events = jsonLines(await readFile(file, 'utf8'));
    expect(new Set(events.map((e) => e.conversationId))).toEqual(new Set([a, b]));

    const copyEnv = { SCROLLBACK_SQLITE_PATH: join(dir, 'copy.db') };
    const imported = await cli(['import', '--from', 'jsonl', file], copyEnv);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('4 messages written');
    expect((await cli(['import', '--from', 'jsonl', file], copyEnv)).stderr).toContain('0 messages written, 4 already stored');

    const reexported = await cli(['export'], copyEnv);
    expect(reexported.code).toBe(0);
    const comparable = (list: StoredEvent[]) =>
      list
        .map((e) => ({ conversationId: e.conversationId, version: e.version, type: e.type, data: e.data, id: e.type === 'message.appended' ? e.eventId : null }))
        .sort((x, y) => x.conversationId.localeCompare(y.conversationId) || x.version - y.version);
    expect(comparable(jsonLines(reexported.stdout))).toEqual(comparable(events));
    const copy = await store(copyEnv);
    expect(await copy.getConversation(a)).toMatchObject({ userId: 'alice', title: 'Billing', messageCount: 3, status: 'active' });
    expect(await copy.getConversation(b)).toMatchObject({ userId: 'bob', status: 'deleted' });

    const masked = jsonLines((await cli(['export', '--mask', '--user', 'alice'], sourceEnv)).stdout);
    expect(new Set(masked.map((e) => e.conversationId))).toEqual(new Set([a]));
    const appended = masked.filter((e) => e.type === 'message.appended');
    expect(appended).toHaveLength(3);
    for (const e of appended) if (e.type === 'message.appended') expect(e.data.content).toBe('');
    expect(JSON.stringify(masked)).not.toContain('thanks');
    expect(JSON.stringify(masked)).not.toContain('Billing');
  });

  it('round-trips parts, revisions, retractions and conversation metadata', async () => {
    const sourceEnv = { SCROLLBACK_DATABASE_URL: (await database()).url };
    const s = await store(sourceEnv);
    const id = newId('rt-parts');
    const parts: MessagePart[] = [
      { type: 'reasoning', text: 'thinking' },
      { type: 'tool-weather', toolCallId: 'call_1', state: 'output-available', output: { celsius: 21.5 } },
      { type: 'text', text: 'It is warm.' },
    ];
    const { messages } = await s.append(id, [{ role: 'user', content: 'weather?' }, { role: 'assistant', parts, metadata: { model: 'm1' } }], { userId: 'carol' });
    await s.revise(id, messages[1]!.id, { parts: [{ type: 'text', text: 'It is hot.' }], metadata: { model: 'm2' } });
    await s.retract(id, messages[0]!.id);
    await s.setMetadata(id, { tenant: 't-1', topic: 'weather', draft: true });
    await s.setMetadata(id, { draft: null });

    const file = join(dir, 'export-parts.jsonl');
    expect((await cli(['export', '--out', file, '--user', 'carol'], sourceEnv)).code).toBe(0);
    const events = jsonLines(await readFile(file, 'utf8'));
    const copyEnv = { SCROLLBACK_SQLITE_PATH: join(dir, 'copy-parts.db') };
    const imported = await cli(['import', '--from', 'jsonl', file], copyEnv);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await cli(['import', '--from', 'jsonl', file], copyEnv)).code).toBe(0);

    const comparable = (list: StoredEvent[]) => list.map((e) => ({ version: e.version, type: e.type, data: e.data }));
    expect(comparable(jsonLines((await cli(['export'], copyEnv)).stdout))).toEqual(comparable(events));
    const copy = await store(copyEnv);
    expect(await copy.tail(id)).toMatchObject([{ id: messages[1]!.id, content: 'It is hot.', parts: [{ type: 'text', text: 'It is hot.' }], metadata: { model: 'm2' } }]);
    expect((await copy.getConversation(id))?.metadata).toEqual({ tenant: 't-1', topic: 'weather' });
  });

  it('imports a sessions JSON dump in both message shapes', async () => {
    const env = { SCROLLBACK_SQLITE_PATH: join(dir, 'sessions.db') };
    const id = newId('mem');
    const path = join(dir, 'sessions.json');
    await writeFile(
      path,
      JSON.stringify({
        [id]: [
          { role: 'user', content: 'plain', id: 'msg-1' },
          { type: 'ai', data: { content: 'langchain-style' } },
        ],
      }),
    );
    const run = await cli(['import', '--from', 'sessions-json', '--user', 'carol', path], env);
    expect(run.code).toBe(0);
    const s = await store(env);
    const messages = await s.tail(id);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'plain'],
      ['assistant', 'langchain-style'],
    ]);
    expect(messages[0]?.metadata).toEqual({ sourceId: 'msg-1' });
    expect((await s.getConversation(id))?.userId).toBe('carol');
  });

  it('reports a conversation that cannot be stored, imports the others, and exits 1', async () => {
    const env = { SCROLLBACK_SQLITE_PATH: join(dir, 'partial.db') };
    const good = newId('mem');
    const path = join(dir, 'partial.json');
    await writeFile(path, JSON.stringify({ ' padded id ': [{ role: 'user', content: 'secret words' }], [good]: [{ role: 'user', content: 'fine' }] }));
    const run = await cli(['import', '--from', 'sessions-json', path], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('1 of 2 conversations');
    expect(run.stderr).toMatch(/conversation " padded id " failed: VALIDATION: conversationId/u);
    expect(run.stderr).not.toContain('secret words');
    expect((await (await store(env)).getConversation(good))?.messageCount).toBe(1);
  });

  it('fails a bad JSONL file before writing anything, naming the line', async () => {
    const env = { SCROLLBACK_SQLITE_PATH: join(dir, 'bad-jsonl.db') };
    const path = join(dir, 'bad.jsonl');
    const ok = JSON.stringify({ conversationId: 'c1', version: 1, eventId: 'e1', type: 'conversation.started', data: { userId: null } });
    const msg = JSON.stringify({ conversationId: 'c1', version: 2, eventId: '0b5e2a5c-0d9a-4c1e-9f57-3c1c2f0e6d12', type: 'message.appended', data: { role: 'user', content: 'x', metadata: {} } });
    await writeFile(path, `${ok}\n${msg}\n{"content": "secret words"\n`);
    const run = await cli(['import', '--from', 'jsonl', path], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('scrollback: VALIDATION: jsonl: line 3 is not JSON');
    expect((await (await store(env)).getConversation('c1'))).toBeNull();
  });
});

describe('tail, inspect and stats', () => {
  it('tail prints the latest events; tail -f follows new ones until SIGTERM, then exits 0', async () => {
    const s = await store(hybridEnv);
    const id = newId('tail');
    await s.append(id, [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }]);
    const latest = await cli(['tail', '-n', '2'], hybridEnv);
    expect(latest.code).toBe(0);
    expect(jsonLines(latest.stdout).map((e) => [e.conversationId, e.version])).toEqual([
      [id, 2],
      [id, 3],
    ]);

    const follower = start(['tail', '-f'], hybridEnv);
    const live = newId('tail');
    // The follower fixes its start asynchronously: append until it shows one, then check order.
    let sent = 0;
    await eventually(
      async () => {
        await s.append(live, { role: 'user', content: `ping ${sent++}` });
        return follower.out.stdout;
      },
      (out) => out.includes(live),
      30_000,
    );
    await s.append(live, { role: 'assistant', content: 'last' });
    await eventually(() => follower.out.stdout, (out) => out.includes('"content":"last"'), 10_000);
    follower.kill('SIGTERM');
    const done = await exited(follower);
    expect(done.code).toBe(0);
    const versions = jsonLines(done.stdout).filter((e) => e.conversationId === live).map((e) => e.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    // started is version 1, the pings 2…sent+1, "last" sent+2.
    expect(versions.at(-1)).toBe(sent + 2);
  });

  it('inspect shows the verdict (human and --json); an unknown conversation fails in one line', async () => {
    const s = await store(hybridEnv);
    const id = newId('inspect');
    await s.append(id, [{ role: 'user', content: 'private words' }, { role: 'assistant', content: 'reply' }]);
    await s.cache.warm(id);
    const human = await cli(['inspect', id], hybridEnv);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Verdict\s+consistent/u);
    expect(human.stdout).not.toContain('private words');
    const json = await cli(['inspect', id, '--json'], hybridEnv);
    expect(JSON.parse(json.stdout)).toMatchObject({ conversationId: id, verdict: 'consistent', log: { version: 3 } });
    const unknown = await cli(['inspect', newId('nope')], hybridEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('scrollback: CONVERSATION_NOT_FOUND: conversation not found');
  });

  it('stats prints health and metrics (human and --json)', async () => {
    const json = await cli(['stats', '--json'], hybridEnv);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { mode: string; health: { status: string; backends: Record<string, { status: string }> }; stats: { tiers: object } };
    expect(parsed.mode).toBe('hybrid');
    expect(parsed.health.status).toBe('up');
    expect(Object.keys(parsed.health.backends).sort()).toEqual(['postgres', 'redis']);
    expect(parsed.stats.tiers).toHaveProperty('log');
    const human = await cli(['stats'], hybridEnv);
    expect(human.stdout).toMatch(/Health\s+up/u);
    expect(human.stdout).toContain('redis');
  });
});

describe('console', () => {
  it('starts the web console, names the configured store without its password, and stops on SIGTERM with 0', async () => {
    const url = new URL(target.url);
    url.password = 'hunter2';
    const child = start(['console'], { SCROLLBACK_DATABASE_URL: url.toString(), SCROLLBACK_CONSOLE_DIR: join(dir, 'console'), SCROLLBACK_CONSOLE_PORT: '0' });
    await eventually(() => child.out.stdout, (out) => /http:\/\/127\.\d+\.\d+\.\d+:\d+\/\?token=/u.test(out), 30_000);
    child.kill('SIGTERM');
    const done = await exited(child);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('add the configured store as an environment');
    expect(done.stderr).toContain(':***@');
    expect(done.stderr + done.stdout).not.toContain('hunter2');
  });
});

describe('a 100,000-message import', () => {
  it('resumes after SIGKILL and ends with every message exactly once; a re-run writes nothing', { timeout: 180_000 }, async () => {
    const env = { SCROLLBACK_SQLITE_PATH: join(dir, 'big.db') };
    const sessions: Record<string, { role: string; content: string }[]> = {};
    for (let s = 0; s < 100; s++) {
      sessions[`big-${s}`] = Array.from({ length: 1000 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `message ${i} of session ${s}` }));
    }
    const path = join(dir, 'big.json');
    await writeFile(path, JSON.stringify(sessions));

    const doomed = start(['import', '--from', 'sessions-json', path], env);
    const reached = (): number => Math.max(0, ...[...doomed.out.stderr.matchAll(/import: ([\d,]+)\/100,000 messages/gu)].map((m) => Number(m[1]?.replace(/,/gu, ''))));
    // Killed once a fifth is stored (progress is reported after each committed batch).
    await eventually(reached, (done) => done >= 20_000, 60_000);
    doomed.kill('SIGKILL');
    const killed = await exited(doomed);
    expect(killed.signal ?? killed.code).toBe('SIGKILL');
    expect(killed.stderr).not.toContain('import: done');

    const resumed = await cli(['import', '--from', 'sessions-json', path], env);
    expect(resumed.code).toBe(0);
    const written = Number(/done — ([\d,]+) messages written/u.exec(resumed.stderr)?.[1]?.replace(/,/gu, ''));
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(100_000);

    const again = await cli(['import', '--from', 'sessions-json', path], env);
    expect(again.stderr).toContain('0 messages written, 100,000 already stored');

    const s = await store(env);
    let total = 0;
    const ids = new Set<string>();
    for (let n = 0; n < 100; n++) {
      const { events } = await s.read(`big-${n}`, { limit: 5000 });
      for (const e of events) if (e.type === 'message.appended') ids.add(e.eventId);
      total += events.filter((e) => e.type === 'message.appended').length;
    }
    expect(total).toBe(100_000);
    expect(ids.size).toBe(100_000);
  });
});
