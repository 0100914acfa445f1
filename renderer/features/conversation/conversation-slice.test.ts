import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import type { ApiOutput } from '../../api/contract.js';
import { appended, conversation, message, started } from '../../testing/fixtures.js';
import { storeWith } from '../../testing/fake-api.js';

const cacheReport: ApiOutput<'cache.inspect'> = {
  conversationId: 'conv-1',
  verdict: 'consistent',
  differences: [],
  entry: { version: 3, position: 30, messages: [], ttlSeconds: 3500 },
  torn: false,
  fence: null,
  log: { version: 3, position: 30, messages: [] },
  masked: false,
};

function handlers() {
  return {
    'conversation.get': () => ({ ...conversation(1, { conversationId: 'conv-1', version: 3 }), masked: false }),
    'conversation.stateAt': () => ({
      conversationId: 'conv-1', userId: 'u1', title: null, status: 'active' as const, version: 3,
      messages: [message(2), message(3)], masked: false,
    }),
    'conversation.read': () => ({ events: [started(), appended(2), appended(3)], version: 3, masked: false }),
    'cache.inspect': () => cacheReport,
  };
}

describe('conversation slice', () => {
  it('opens a conversation: info, state at head, events and the cache report', async () => {
    const { store, api } = storeWith(handlers());
    await store.getState().openConversation('conv-1');
    await expect.poll(() => store.getState().conversation.cacheStatus).toBe('ready');
    const c = store.getState().conversation;
    expect(c.status).toBe('ready');
    expect(c.state?.messages).toHaveLength(2);
    expect(c.events).toHaveLength(3);
    expect(c.cache?.verdict).toBe('consistent');
    expect(api.calls.find((x) => x.method === 'conversation.stateAt')?.input).toMatchObject({ version: 3, reveal: false });
  });

  it('shows a read-only refusal from the server next to the actions', async () => {
    const { store } = storeWith({
      ...handlers(),
      'conversation.rename': () => {
        throw new ApiError('READ_ONLY', 'conversation.rename is a write; Prod is read-only', 403);
      },
    });
    await store.getState().openConversation('conv-1');
    const ok = await store.getState().runConversationAction({ kind: 'rename', title: 'x' });
    expect(ok).toBe(false);
    expect(store.getState().conversation.actionError).toMatch(/^Refused: this environment is read-only/);
    expect(store.getState().toasts.at(-1)?.kind).toBe('error');
    expect(store.getState().conversation.busy).toBeNull();
  });

  it('evict re-inspects the cache without reloading the transcript', async () => {
    let verdict: 'consistent' | 'missing' = 'consistent';
    const { store, api } = storeWith({
      ...handlers(),
      'cache.inspect': () => ({ ...cacheReport, verdict, entry: verdict === 'missing' ? null : cacheReport.entry }),
      'cache.evict': () => {
        verdict = 'missing';
        return { evicted: true };
      },
    });
    await store.getState().openConversation('conv-1');
    const gets = api.calls.filter((c) => c.method === 'conversation.get').length;
    expect(await store.getState().runConversationAction({ kind: 'evict' })).toBe(true);
    expect(store.getState().conversation.cache?.verdict).toBe('missing');
    expect(api.calls.filter((c) => c.method === 'conversation.get')).toHaveLength(gets);
  });

  it('a not-found conversation ends in an error state, not a spinner', async () => {
    const { store } = storeWith({
      ...handlers(),
      'conversation.get': () => {
        throw new ApiError('CONVERSATION_NOT_FOUND', 'conversation not found', 404);
      },
    });
    await store.getState().openConversation('nope');
    expect(store.getState().conversation).toMatchObject({ status: 'error', error: 'conversation not found' });
  });
});
