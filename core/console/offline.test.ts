/**
 * offline.save and offline.list through `dispatch`, with a real registry and SQLite stores: a copy
 * holds the source's events, masked unless revealed, and is registered as a read-only local
 * environment that names its source.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

function context(): { ctx: ConsoleContext; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-offline-'));
  const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
  const stores = new StorePool(registry, openStore);
  const ctx: ConsoleContext = { registry, stores, traffic: new TrafficSimulator((id) => stores.get(id)), fetch, log: () => undefined };
  contexts.push(ctx);
  return { ctx, dir };
}

function call<M extends ConsoleMethod>(ctx: ConsoleContext, method: M, input: unknown): Promise<ConsoleOutputs[M]> {
  return dispatch(method, input, ctx) as Promise<ConsoleOutputs[M]>;
}

async function seeded(ctx: ConsoleContext, dir: string, kind: 'staging' | 'production') {
  const path = join(dir, `${kind}.sqlite`);
  const seed = await openStore({ sqlite: { path } });
  await seed.append('c-zanzibar', [{ role: 'user', content: 'tell me about Zanzibar holidays' }], { userId: 'ada' });
  await seed.append('c-zanzibar', [{ role: 'assistant', content: 'Zanzibar has beaches', metadata: { model: 'm1', note: 'Zanzibar secret' } }]);
  await seed.rename('c-zanzibar', 'Zanzibar trip for Ada');
  await seed.append('c-paris', [{ role: 'user', content: 'Paris in spring' }], { userId: 'bob' });
  await seed.append('c-rome', [{ role: 'user', content: 'Rome by train' }], { userId: 'ada' });
  await seed.close();
  return ctx.registry.create({ name: kind === 'production' ? 'Production replica' : 'Staging', kind, connection: { sqlite: { path } } });
}

/** Every kind of event the log knows: parts, revisions, retractions, conversation metadata, redactions. */
async function seededRich(ctx: ConsoleContext, dir: string) {
  const path = join(dir, 'rich.sqlite');
  const seed = await openStore({ sqlite: { path } });
  await seed.append('c-rich', [
    { id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Weather in Lisbon?' }, { type: 'file', mediaType: 'image/png', url: 'https://example.com/map.png' }] },
    { id: 'm2', role: 'assistant', content: 'It is 21 °C in Lisbon', metadata: { model: 'm1' } },
    { id: 'm3', role: 'user', content: 'my card is 4242' },
  ]);
  await seed.revise('c-rich', 'm2', { content: 'It is 22 °C in Lisbon', metadata: { model: 'm2' } });
  await seed.retract('c-rich', 'm1');
  await seed.setMetadata('c-rich', { project: 'Lisbon trip', stage: 'draft' });
  await seed.setMetadata('c-rich', { stage: null });
  await seed.redact('c-rich', 'm3', { mode: 'mask', reason: 'card number', by: 'ops' });
  await seed.close();
  return ctx.registry.create({ name: 'Rich', kind: 'staging', connection: { sqlite: { path } } });
}

async function eventsOf(ctx: ConsoleContext, environmentId: string, conversationId: string) {
  const result = await call(ctx, 'conversation.read', { environmentId, conversationId, reveal: true });
  return result.events.map((e) => ({ type: e.type, eventId: e.type === 'message.appended' ? e.eventId : null, data: e.data }));
}

describe('offline.save', () => {
  it('copies the chosen conversations with the same events, unmasked when asked on a non-masked environment', async () => {
    const { ctx, dir } = context();
    const staging = await seeded(ctx, dir, 'staging');
    const saved = await call(ctx, 'offline.save', { environmentId: staging.id, conversationIds: ['c-zanzibar', 'c-paris'], mask: false });
    expect(saved).toMatchObject({ conversations: 2, masked: false });
    const copy = saved.environment;
    expect(copy).toMatchObject({ kind: 'local', readOnly: true, masked: false });
    expect(copy.name).toMatch(/^Offline copy of Staging · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(copy.offlineCopyOf).toMatchObject({ environmentId: staging.id, environmentName: 'Staging', masked: false, conversations: 2 });
    expect(copy.connection.sqlite?.path.startsWith(join(dir, 'offline'))).toBe(true);

    expect(await eventsOf(ctx, copy.id, 'c-zanzibar')).toEqual(await eventsOf(ctx, staging.id, 'c-zanzibar'));
    expect(await eventsOf(ctx, copy.id, 'c-paris')).toEqual(await eventsOf(ctx, staging.id, 'c-paris'));
    const list = await call(ctx, 'conversations.list', { environmentId: copy.id });
    // Replayed oldest activity first, so the copy lists them newest first like the source; the
    // copy's times are its own (milliseconds apart, or equal), so only membership is asserted here.
    expect(list.items.map((i) => i.conversationId).sort()).toEqual(['c-paris', 'c-zanzibar']);
    // A copy is read-only: nothing can be written into it.
    await expect(call(ctx, 'conversation.rename', { environmentId: copy.id, conversationId: 'c-paris', title: 'x' })).rejects.toMatchObject({ code: 'READ_ONLY' });
  });

  it('replays parts, revisions, retractions, conversation metadata and redactions into the copy', async () => {
    const { ctx, dir } = context();
    const rich = await seededRich(ctx, dir);
    const saved = await call(ctx, 'offline.save', { environmentId: rich.id, mask: false });
    expect(saved.conversations).toBe(1);
    expect(await eventsOf(ctx, saved.environment.id, 'c-rich')).toEqual(await eventsOf(ctx, rich.id, 'c-rich'));
    const masked = await call(ctx, 'offline.save', { environmentId: rich.id });
    const events = JSON.stringify(await eventsOf(ctx, masked.environment.id, 'c-rich'));
    expect(events).not.toMatch(/Lisbon|22 °C|card number/);
    expect(events).toContain('message.revised');
    expect(events).toContain('conversation.metadata-set');
  });

  it('masks by default, and the file itself holds no original text', async () => {
    const { ctx, dir } = context();
    const staging = await seeded(ctx, dir, 'staging');
    const saved = await call(ctx, 'offline.save', { environmentId: staging.id, filter: { userId: 'ada' } });
    expect(saved).toMatchObject({ conversations: 2, masked: true });
    const listed = async (environmentId: string) => (await call(ctx, 'conversations.list', { environmentId, userId: 'ada' })).items.map((i) => i.conversationId).sort();
    expect(await listed(saved.environment.id)).toEqual(await listed(staging.id));
    await ctx.stores.closeAll();
    const path = saved.environment.connection.sqlite?.path ?? '';
    const bytes = ['', '-wal'].map((s) => (existsSync(path + s) ? readFileSync(path + s).toString('latin1') : '')).join('');
    expect(bytes).not.toContain('Zanzibar');
    expect(bytes).not.toContain('Rome');
    const events = await eventsOf(ctx, saved.environment.id, 'c-zanzibar');
    expect(events.filter((e) => e.type === 'message.appended')).toHaveLength(2);
    expect(JSON.stringify(events)).toContain('[masked · 31 chars]');
    // Operational metadata stays readable, content metadata does not.
    expect(JSON.stringify(events)).toContain('"model":"m1"');
  });

  it('refuses an unmasked copy of a masked environment without the reveal, and honours the limit', async () => {
    const { ctx, dir } = context();
    const prod = await seeded(ctx, dir, 'production');
    await expect(call(ctx, 'offline.save', { environmentId: prod.id, mask: false })).rejects.toMatchObject({ code: 'REVEAL_REQUIRED' });
    await expect(call(ctx, 'offline.save', { environmentId: prod.id, filter: { search: 'Zanz' } })).rejects.toMatchObject({ code: 'REVEAL_REQUIRED' });
    expect(existsSync(join(dir, 'offline')) ? readdirSync(join(dir, 'offline')) : []).toEqual([]);

    const masked = await call(ctx, 'offline.save', { environmentId: prod.id, limit: 2 });
    expect(masked).toMatchObject({ conversations: 2, masked: true });
    const revealed = await call(ctx, 'offline.save', { environmentId: prod.id, mask: false, reveal: true, conversationIds: ['c-zanzibar'] });
    expect(revealed.masked).toBe(false);
    expect(JSON.stringify(await eventsOf(ctx, revealed.environment.id, 'c-zanzibar'))).toContain('Zanzibar trip for Ada');

    const copies = await call(ctx, 'offline.list', { environmentId: prod.id });
    expect(copies.map((c) => c.id)).toEqual([revealed.environment.id, masked.environment.id]);
    expect(copies.map((c) => c.offlineCopyOf?.masked)).toEqual([false, true]);
    expect(await call(ctx, 'offline.list', { environmentId: revealed.environment.id })).toEqual([]);

    // Removing a copy removes its file; the source's own file stays.
    const file = masked.environment.connection.sqlite?.path ?? '';
    expect(existsSync(file)).toBe(true);
    await call(ctx, 'environments.remove', { environmentId: masked.environment.id });
    expect(existsSync(file)).toBe(false);
    expect((await call(ctx, 'offline.list', { environmentId: prod.id })).map((c) => c.id)).toEqual([revealed.environment.id]);
    await call(ctx, 'environments.remove', { environmentId: prod.id });
    expect(existsSync(join(dir, 'production.sqlite'))).toBe(true);
  });

  it('leaves no file and no environment behind when a conversation is missing', async () => {
    const { ctx, dir } = context();
    const staging = await seeded(ctx, dir, 'staging');
    const before = ctx.registry.list().length;
    await expect(call(ctx, 'offline.save', { environmentId: staging.id, conversationIds: ['c-paris', 'nope'] })).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    expect(ctx.registry.list()).toHaveLength(before);
    expect(existsSync(join(dir, 'offline')) ? readdirSync(join(dir, 'offline')) : []).toEqual([]);
  });
});
