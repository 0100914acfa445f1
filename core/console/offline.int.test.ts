/**
 * offline.save from a hybrid environment (PostgreSQL + Redis, real servers) into a SQLite copy:
 * the copy holds the same events, and stays readable once the source's servers are gone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { seedDemoConversations } from '../demo/seed.js';
import { openStore } from '../store/open-store.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import type { ConsoleMethod, ConsoleOutputs } from './api.js';
import type { ConsoleContext } from './context.js';
import { EnvironmentRegistry } from './environments.js';
import { dispatch } from './router.js';
import { KeyFileSecretBox } from './secret-box.js';
import { StorePool } from './store-pool.js';
import { TrafficSimulator } from './traffic.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
});

afterAll(async () => {
  await database?.drop();
});

function call<M extends ConsoleMethod>(ctx: ConsoleContext, method: M, input: unknown): Promise<ConsoleOutputs[M]> {
  return dispatch(method, input, ctx) as Promise<ConsoleOutputs[M]>;
}

it('copies a hybrid environment into SQLite event for event, and the copy reads without the source', async () => {
  const redisUrl = inject('redisUrl');
  const writer = await openStore({ postgres: { url: database.url }, redis: { url: redisUrl } });
  await seedDemoConversations(writer, { conversations: 6, seed: 11 });
  await writer.close();

  const dir = mkdtempSync(join(tmpdir(), 'sb-offline-int-'));
  const registry = new EnvironmentRegistry(dir, new KeyFileSecretBox(join(dir, 'secret.key')));
  const stores = new StorePool(registry, openStore);
  const ctx: ConsoleContext = { registry, stores, traffic: new TrafficSimulator((id) => stores.get(id)), fetch, log: () => undefined };
  try {
    const hybrid = registry.create({ name: 'Hybrid staging', kind: 'staging', connection: { postgres: { url: database.url }, redis: { url: redisUrl } } });
    const source = await call(ctx, 'conversations.list', { environmentId: hybrid.id, limit: 100 });
    const saved = await call(ctx, 'offline.save', { environmentId: hybrid.id, mask: false });
    const withMessages = source.items.filter((i) => i.messageCount > 0);
    expect(saved.conversations).toBe(withMessages.length);

    const originals = new Map<string, unknown>();
    for (const item of withMessages) {
      const read = await call(ctx, 'conversation.read', { environmentId: hybrid.id, conversationId: item.conversationId });
      originals.set(item.conversationId, read.events.map((e) => [e.type, e.data]));
    }
    // The source goes away: the copy still answers, from its own file.
    registry.update({ environmentId: hybrid.id, connection: { postgres: { url: 'postgres://nobody@127.0.0.1:1/none' } } });
    await stores.drop(hybrid.id);
    for (const [conversationId, events] of originals) {
      const read = await call(ctx, 'conversation.read', { environmentId: saved.environment.id, conversationId });
      expect(read.events.map((e) => [e.type, e.data])).toEqual(events);
    }
    const state = await call(ctx, 'conversation.stateAt', { environmentId: saved.environment.id, conversationId: withMessages[0]?.conversationId, version: 2 });
    expect(state.messages).toHaveLength(1);
    expect((await call(ctx, 'offline.list', { environmentId: hybrid.id })).map((c) => c.id)).toEqual([saved.environment.id]);
  } finally {
    await stores.closeAll();
  }
});
