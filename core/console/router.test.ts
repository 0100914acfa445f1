import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConversationStore } from '../store/types.js';
import { consoleSchemas, METHOD_ACCESS } from './api.js';
import type { ConsoleContext } from './context.js';
import { EnvironmentRegistry } from './environments.js';
import { allowedOnReadOnly, dispatch } from './router.js';
import { KeyFileSecretBox } from './secret-box.js';
import { readOnlyStore, StorePool } from './store-pool.js';
import { TrafficSimulator } from './traffic.js';

function context(): { ctx: ConsoleContext; opened: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-router-'));
  const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
  const opened: string[] = [];
  // Records that a store was asked for: a refused write must not get that far.
  const stores = new StorePool(registry, async (config) => {
    opened.push(JSON.stringify(config));
    throw new Error('no store in this test');
  });
  return { ctx: { registry, stores, traffic: new TrafficSimulator((id) => stores.get(id)), fetch, log: () => undefined }, opened };
}

const writes = Object.entries(METHOD_ACCESS).filter(([, access]) => access === 'write').map(([method]) => method);

describe('read-only allow-list', () => {
  it('allows only methods marked as reads, and refuses unknown names', () => {
    expect(allowedOnReadOnly('conversation.read')).toBe(true);
    expect(allowedOnReadOnly('conversation.rename')).toBe(false);
    expect(allowedOnReadOnly('conversation.purgeEverything')).toBe(false);
    expect(allowedOnReadOnly('toString')).toBe(false);
    for (const method of writes) expect(allowedOnReadOnly(method)).toBe(false);
  });

  it('classifies every method of the API', () => {
    expect(Object.keys(METHOD_ACCESS).sort()).toEqual(Object.keys(consoleSchemas).sort());
  });

  it.each(writes)('refuses %s on a read-only environment before touching the store', async (method) => {
    const { ctx, opened } = context();
    const env = ctx.registry.create({ name: 'Prod', kind: 'production', connection: { sqlite: { path: '/tmp/none.sqlite' } } });
    const inputs: Record<string, unknown> = {
      'conversation.rename': { conversationId: 'c', title: 't' },
      'conversation.redact': { conversationId: 'c', messageId: 'm', mode: 'mask', reason: 'r' },
      'conversation.delete': { conversationId: 'c' },
      'conversation.import': { jsonl: '{}' },
      'cache.evict': { conversationId: 'c' },
      'cache.warm': { conversationId: 'c' },
      'traffic.start': { ratePerSecond: 10, seconds: 5 },
      'playground.send': { content: 'hi', responder: { kind: 'scripted' } },
    };
    const body = { environmentId: env.id, ...(inputs[method] as object) };
    await expect(dispatch(method, body, ctx)).rejects.toMatchObject({ code: 'READ_ONLY', status: 403 });
    expect(opened).toEqual([]);
  });

  it('lets reads through to the store on a read-only environment', async () => {
    const { ctx, opened } = context();
    const env = ctx.registry.create({ name: 'Prod', kind: 'production', connection: { sqlite: { path: '/tmp/none.sqlite' } } });
    await expect(dispatch('conversations.list', { environmentId: env.id }, ctx)).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(opened).toHaveLength(1);
  });

  it('rejects unknown methods and invalid input with the field named', async () => {
    const { ctx } = context();
    await expect(dispatch('nope', {}, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dispatch('traffic.start', { environmentId: 'x', ratePerSecond: 10_000, seconds: 1 }, ctx)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'ratePerSecond',
    });
  });
});

describe('readOnlyStore', () => {
  it('passes reads and refuses everything else, including members it does not know', async () => {
    const calls: string[] = [];
    const fake = {
      mode: 'embedded',
      read: async () => {
        calls.push('read');
        return { events: [], version: 0 };
      },
      append: async () => calls.push('append'),
      futureWrite: async () => calls.push('futureWrite'),
      cache: { inspect: async () => calls.push('inspect'), evict: async () => calls.push('evict') },
    } as unknown as ConversationStore;
    const guarded = readOnlyStore(fake);
    expect(guarded.mode).toBe('embedded');
    await guarded.read('c');
    await guarded.cache.inspect('c');
    expect(() => guarded.append('c', { role: 'user', content: 'x' })).toThrow(/read-only/);
    expect(() => guarded.cache.evict('c')).toThrow(/read-only/);
    expect(() => (guarded as unknown as { futureWrite: () => void }).futureWrite()).toThrow(/read-only/);
    expect(calls).toEqual(['read', 'inspect']);
    // A guarded store can be returned from an async function (nothing answers `then`).
    await expect(Promise.resolve(guarded)).resolves.toBe(guarded);
  });
});
