import { afterEach } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { ConversationStore } from '../store/types.js';

/**
 * For tests: opens in-memory embedded stores and closes every one after each test. Call at the
 * top of a test file; it registers the `afterEach`.
 */
export function useMemoryStores(): () => Promise<ConversationStore> {
  const stores: ConversationStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  return async () => {
    const store = await openStore({ sqlite: { path: ':memory:' } });
    stores.push(store);
    return store;
  };
}
