/**
 * The console's hardening rules, through `dispatch` with a real registry and SQLite stores: masked
 * environments refuse search, lowering protection needs a confirmation, imports are atomic.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoConversations } from '../demo/seed.js';
import { openStore } from '../store/open-store.js';
import type { ConsoleMethod, ConsoleOutputs } from './api.js';
import type { ConsoleContext } from './context.js';
import { EnvironmentRegistry } from './environments.js';
import { dispatch } from './router.js';
import { KeyFileSecretBox } from './secret-box.js';
import { StorePool } from './store-pool.js';
import { TrafficSimulator } from './traffic.js';

const contexts: ConsoleContext[] = [];

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((ctx) => ctx.stores.closeAll()));
});

function context(): { ctx: ConsoleContext; dir: string; logs: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-hardening-'));
  const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
  const stores = new StorePool(registry, openStore);
  const logs: string[] = [];
  const ctx: ConsoleContext = { registry, stores, traffic: new TrafficSimulator((id) => stores.get(id)), fetch, log: (line) => logs.push(line) };
  contexts.push(ctx);
  return { ctx, dir, logs };
}

function call<M extends ConsoleMethod>(ctx: ConsoleContext, method: M, input: unknown): Promise<ConsoleOutputs[M]> {
  return dispatch(method, input, ctx) as Promise<ConsoleOutputs[M]>;
}

async function seededEnvironment(ctx: ConsoleContext, dir: string, kind: 'local' | 'production') {
  const path = join(dir, `${kind}.sqlite`);
  const seed = await openStore({ sqlite: { path } });
  await seed.append('c-secret', [{ role: 'user', content: 'tell me about Zanzibar holidays' }], { userId: 'u1' });
  await seed.rename('c-secret', 'Zanzibar trip for Ada');
  await seedDemoConversations(seed, { conversations: 3 });
  await seed.close();
  return ctx.registry.create({ name: kind === 'production' ? 'Prod' : 'Dev', kind, connection: { sqlite: { path } } });
}

describe('masked environments', () => {
  it('refuse search until content is revealed, and mask titles in lists', async () => {
    const { ctx, dir } = context();
    const prod = await seededEnvironment(ctx, dir, 'production');
    await expect(call(ctx, 'conversations.list', { environmentId: prod.id, search: 'Zanz' })).rejects.toMatchObject({ code: 'REVEAL_REQUIRED' });
    const revealed = await call(ctx, 'conversations.list', { environmentId: prod.id, search: 'Zanz', reveal: true });
    expect(revealed.items.map((i) => i.conversationId)).toEqual(['c-secret']);
    const list = await call(ctx, 'conversations.list', { environmentId: prod.id });
    expect(JSON.stringify(list)).not.toContain('Zanzibar');
    const events = await call(ctx, 'conversation.read', { environmentId: prod.id, conversationId: 'c-secret' });
    expect(JSON.stringify(events)).not.toContain('Zanzibar');
    const info = await call(ctx, 'conversation.get', { environmentId: prod.id, conversationId: 'c-secret' });
    expect(info.title).not.toContain('Zanzibar');
  });
});

describe('lowering an environment’s protection', () => {
  it('needs an explicit confirmation and is logged without secrets', async () => {
    const { ctx, dir, logs } = context();
    const prod = ctx.registry.create({
      name: 'Prod',
      kind: 'production',
      connection: { sqlite: { path: join(dir, 'p.sqlite') }, redis: { url: 'redis://:hunter2-secret@cache.internal:6379' } },
    });
    await expect(call(ctx, 'environments.update', { environmentId: prod.id, kind: 'staging' })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    await expect(call(ctx, 'environments.update', { environmentId: prod.id, readOnly: false })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(ctx.registry.get(prod.id)).toMatchObject({ kind: 'production', readOnly: true });
    // Raising protection, or saving it unchanged, needs nothing.
    await call(ctx, 'environments.update', { environmentId: prod.id, kind: 'production', readOnly: true, name: 'Prod EU' });
    expect(logs).toEqual([]);

    const lowered = await call(ctx, 'environments.update', { environmentId: prod.id, kind: 'staging', readOnly: false, confirm: 'lower-protection' });
    expect(lowered).toMatchObject({ kind: 'staging', readOnly: false });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('Prod EU');
    expect(logs[0]).toMatch(/production to staging/);
    expect(logs[0]).toMatch(/read-only/);
    expect(logs.join('\n')).not.toContain('hunter2');
  });
});

describe('read-only SQLite environments', () => {
  function fingerprint(path: string) {
    const wal = `${path}-wal`;
    return {
      bytes: readFileSync(path).toString('base64'),
      mtimeMs: statSync(path).mtimeMs,
      wal: existsSync(wal) ? readFileSync(wal).length : null,
    };
  }

  async function browse(ctx: ConsoleContext, environmentId: string): Promise<void> {
    const list = await call(ctx, 'conversations.list', { environmentId, search: 'Zanzibar' });
    expect(list.items.length).toBeLessThanOrEqual(1);
    await call(ctx, 'conversations.list', { environmentId });
    await call(ctx, 'conversation.read', { environmentId, conversationId: 'c-secret' });
    await call(ctx, 'conversation.tail', { environmentId, conversationId: 'c-secret' });
    await call(ctx, 'conversation.export', { environmentId, conversationId: 'c-secret' });
    await ctx.stores.closeAll();
  }

  async function seed(path: string): Promise<void> {
    const store = await openStore({ sqlite: { path } });
    // Closed before the idle indexer runs: the search index has a backlog a reader could "catch up".
    await store.append('c-secret', [{ role: 'user', content: 'Zanzibar in May?' }]);
    await store.close();
  }

  it('leave a WAL-mode file and its WAL untouched, search index backlog included', async () => {
    const { ctx, dir } = context();
    const path = join(dir, 'wal.sqlite');
    await seed(path);
    const before = fingerprint(path);
    const env = ctx.registry.create({ name: 'RO', kind: 'local', readOnly: true, connection: { sqlite: { path } } });
    await browse(ctx, env.id);
    const after = fingerprint(path);
    expect(after.bytes).toBe(before.bytes);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    // SQLite may create an empty WAL beside a WAL-mode file for a reader; never a frame.
    expect(after.wal ?? 0).toBe(before.wal ?? 0);
  });

  it('do not switch a rollback-journal file to WAL', async () => {
    const { ctx, dir } = context();
    const path = join(dir, 'rollback.sqlite');
    await seed(path);
    const raw = new SqliteDatabase(path);
    raw.pragma('journal_mode = DELETE');
    raw.close();
    const before = fingerprint(path);
    const env = ctx.registry.create({ name: 'RO', kind: 'local', readOnly: true, connection: { sqlite: { path } } });
    await browse(ctx, env.id);
    expect(fingerprint(path)).toEqual(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it('refuse to create a missing file', async () => {
    const { ctx, dir } = context();
    const path = join(dir, 'missing.sqlite');
    const env = ctx.registry.create({ name: 'RO', kind: 'local', readOnly: true, connection: { sqlite: { path } } });
    await expect(call(ctx, 'conversations.list', { environmentId: env.id })).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(existsSync(path)).toBe(false);
  });
});

describe('imports', () => {
  const at = '2025-01-01T00:00:00.000Z';
  const uuid = (n: number) => `0190a1c2-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const line = (version: number, data: Record<string, unknown>, type = 'message.appended', eventId = uuid(version)) =>
    JSON.stringify({ conversationId: 'imp', version, position: version, eventId, type, data, metadata: {}, recordedAt: at });
  const message = (version: number, content: string, metadata: unknown = {}) => line(version, { role: 'user', content, metadata });

  async function writable(ctx: ConsoleContext, dir: string, name = 'target') {
    return ctx.registry.create({ name, kind: 'local', connection: { sqlite: { path: join(dir, `${name}.sqlite`) } } });
  }

  it('validate every line before writing: a bad third line leaves nothing, and the fixed file imports', async () => {
    const { ctx, dir } = context();
    const env = await writable(ctx, dir);
    // The rename comes after two appends, which are written before it is replayed.
    const bad = [message(1, 'one'), message(2, 'two'), line(3, { title: 'bell \u0007 title' }, 'conversation.renamed', 'e3')].join('\n');
    await expect(call(ctx, 'conversation.import', { environmentId: env.id, jsonl: bad, maskContent: false })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(call(ctx, 'conversation.get', { environmentId: env.id, conversationId: 'imp' })).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    const good = [message(1, 'one'), message(2, 'two'), message(3, 'three')].join('\n');
    const result = await call(ctx, 'conversation.import', { environmentId: env.id, jsonl: good, maskContent: false });
    expect(result).toMatchObject({ conversationId: 'imp', events: 3 });
  });

  it('import back any export: 1,001 messages, equal in a fresh store', async () => {
    const { ctx, dir } = context();
    const source = await writable(ctx, dir, 'source');
    const store = await ctx.stores.get(source.id);
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ role: 'user' as const, content: `message ${from + i}`, metadata: { n: from + i } }));
    await store.append('big', batch(0, 1000));
    await store.append('big', batch(1000, 1));
    await store.rename('big', 'Big one');
    const exported = await call(ctx, 'conversation.export', { environmentId: source.id, conversationId: 'big' });

    const target = await writable(ctx, dir, 'fresh');
    await call(ctx, 'conversation.import', { environmentId: target.id, jsonl: exported.jsonl, maskContent: false });
    const original = await call(ctx, 'conversation.stateAt', { environmentId: source.id, conversationId: 'big', version: 1003 });
    const copy = await call(ctx, 'conversation.stateAt', { environmentId: target.id, conversationId: 'big', version: 1003 });
    expect(copy.messages).toHaveLength(1001);
    expect(copy.title).toBe('Big one');
    const shape = (m: { id: string; role: string; content: string; metadata: unknown }) => ({ id: m.id, role: m.role, content: m.content, metadata: m.metadata });
    expect(copy.messages.map(shape)).toEqual(original.messages.map(shape));
  });

  it('refuse 20,000-deep metadata as invalid input, masked or not', async () => {
    const { ctx, dir } = context();
    const env = await writable(ctx, dir);
    const deep = `${'{"a":'.repeat(20_000)}"x"${'}'.repeat(20_000)}`;
    const jsonl = `{"conversationId":"imp","version":1,"position":1,"eventId":"${uuid(1)}","type":"message.appended","data":{"role":"user","content":"hi","metadata":${deep}},"metadata":{},"recordedAt":"${at}"}`;
    for (const maskContent of [true, false]) {
      await expect(call(ctx, 'conversation.import', { environmentId: env.id, jsonl, maskContent })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/nested too deeply/) });
    }
  });

  it('keep a __proto__ metadata key as plain data with masking on and off', async () => {
    const { ctx, dir } = context();
    const env = await writable(ctx, dir);
    const jsonl = [message(1, 'hi', JSON.parse('{"__proto__":{"polluted":"yes"},"model":"m"}'))].join('\n');
    // JSON.stringify of a parsed object keeps the own __proto__ key.
    expect(jsonl).toContain('"__proto__"');
    const keys: string[][] = [];
    for (const maskContent of [false, true]) {
      const conversationId = `imp-${maskContent ? 'masked' : 'plain'}`;
      await call(ctx, 'conversation.import', { environmentId: env.id, jsonl, maskContent, conversationId });
      const tail = await call(ctx, 'conversation.tail', { environmentId: env.id, conversationId });
      const metadata = tail.messages[0]?.metadata ?? {};
      expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
      keys.push(Object.keys(metadata).sort());
    }
    expect(keys[0]).toEqual(['__proto__', 'model']);
    expect(keys[1]).toEqual(keys[0]);
  });

  it('remove what was written when a write fails half-way, so the retry goes through', async () => {
    const { ctx, dir } = context();
    const env = await writable(ctx, dir);
    const store = await ctx.stores.get(env.id);
    const jsonl = Array.from({ length: 5 }, (_, i) => message(i + 1, `m${i}`)).join('\n');
    let appends = 0;
    // The real store, with its second append failing as an outage would.
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'append') {
          return async (...args: Parameters<typeof store.append>) => {
            if (++appends === 2) throw new Error('connection lost');
            return target.append(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { importEvents, parseJsonl } = await import('./handlers/transfer.js');
    await expect(importEvents(flaky, parseJsonl(jsonl), { conversationId: 'imp', maskContent: false, maxBatch: 2 })).rejects.toThrow('connection lost');
    expect(await store.getConversation('imp')).toBeNull();
    await call(ctx, 'conversation.import', { environmentId: env.id, jsonl, maskContent: false });
    expect(await store.tail('imp')).toHaveLength(5);
  });
});
