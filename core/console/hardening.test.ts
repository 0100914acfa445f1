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
