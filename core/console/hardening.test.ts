/**
 * The console's hardening rules, through `dispatch` with a real registry and SQLite stores: masked
 * environments refuse search, lowering protection needs a confirmation, imports are atomic.
 */
import { mkdtempSync } from 'node:fs';
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
