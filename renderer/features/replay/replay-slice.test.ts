import { describe, expect, it } from 'vitest';
import type { ApiInput } from '../../api/contract.js';
import { appended, message, started } from '../../testing/fixtures.js';
import { deferred, storeWith } from '../../testing/fake-api.js';
import type { ConversationState } from '../../../core/events/types.js';
import { clampVersion, describeChange, playbackIntervalMs } from './describe-change.js';

const HEAD = 2500;
function events(from: number, limit: number) {
  const out = [];
  for (let v = from; v < from + limit && v <= HEAD; v += 1) out.push(v === 1 ? started() : appended(v));
  return out;
}
const stateAt = (input: ApiInput<'conversation.stateAt'>) => ({
  conversationId: 'conv-1', userId: 'u1', title: null, status: 'active' as const, version: input.version,
  messages: [message(input.version)], masked: false,
});

describe('replay slice', () => {
  it('reads every page of events and opens at the requested version', async () => {
    const { store, api } = storeWith({
      'conversation.read': (input) => ({ events: events(input.fromVersion ?? 1, input.limit ?? 1000), version: HEAD, masked: false }),
      'conversation.stateAt': stateAt,
    });
    await store.getState().openReplay('conv-1', 7);
    const r = store.getState().replay;
    expect(r.events).toHaveLength(HEAD);
    expect(r.head).toBe(HEAD);
    expect(r.version).toBe(7);
    expect(r.state?.version).toBe(7);
    expect(api.calls.filter((c) => c.method === 'conversation.read')).toHaveLength(3);
  });

  it('steps within bounds and stops playing at the head', async () => {
    const { store } = storeWith({
      'conversation.read': (input) => ({ events: events(input.fromVersion ?? 1, 5000), version: HEAD, masked: false }),
      'conversation.stateAt': stateAt,
    });
    await store.getState().openReplay('conv-1', HEAD - 1);
    store.getState().setReplayPlaying(true);
    await store.getState().stepReplay(1);
    expect(store.getState().replay.version).toBe(HEAD);
    await store.getState().stepReplay(1);
    expect(store.getState().replay.playing).toBe(false);
    await store.getState().setReplayVersion(-4);
    expect(store.getState().replay.version).toBe(1);
  });

  it('ignores a slow state that answers after the user moved on', async () => {
    const slow = deferred<ConversationState & { masked: boolean }>();
    const { store } = storeWith({
      'conversation.read': () => ({ events: events(1, 10), version: 10, masked: false }),
      'conversation.stateAt': (input) => (input.version === 3 ? slow.promise : stateAt(input)),
    });
    await store.getState().openReplay('conv-1', 10);
    const pending = store.getState().setReplayVersion(3);
    await store.getState().setReplayVersion(5);
    slow.resolve({ ...stateAt({ environmentId: 'env-1', conversationId: 'conv-1', version: 3 }) });
    await pending;
    expect(store.getState().replay.version).toBe(5);
    expect(store.getState().replay.state?.version).toBe(5);
  });

  it('imports into another environment with masking as asked', async () => {
    const { store, api } = storeWith({
      'conversation.read': () => ({ events: events(1, 3), version: 3, masked: false }),
      'conversation.stateAt': stateAt,
      'conversation.export': () => ({ jsonl: '{"a":1}\n', events: 3, fileName: 'c.jsonl', masked: false }),
      'conversation.import': (input) => ({ conversationId: 'conv-1', version: 3, events: 3, masked: input.maskContent ?? true }),
    });
    await store.getState().openReplay('conv-1', null);
    await store.getState().importReplayInto('local-2', true);
    expect(api.calls.at(-1)).toEqual({ method: 'conversation.import', input: { environmentId: 'local-2', jsonl: '{"a":1}\n', maskContent: true } });
    expect(store.getState().replay.importResult?.masked).toBe(true);
  });
});

describe('describeChange', () => {
  it('names what each event changed and which messages to highlight', () => {
    expect(describeChange(appended(4))).toMatchObject({ kind: 'added', messageIds: ['msg-4'] });
    expect(
      describeChange({ ...started(), version: 5, type: 'message.redacted', data: { messageId: 'msg-4-long-id', mode: 'mask', reason: 'pii', by: null } }),
    ).toMatchObject({ kind: 'redacted', messageIds: ['msg-4-long-id'] });
    expect(describeChange({ ...started(), version: 6, type: 'conversation.renamed', data: { title: 'T' } })).toMatchObject({ titleChanged: true });
  });

  it('clamps versions and playback speed', () => {
    expect(clampVersion(0, 10)).toBe(1);
    expect(clampVersion(11, 10)).toBe(10);
    expect(clampVersion(3, 0)).toBe(0);
    expect(playbackIntervalMs(2)).toBe(500);
    expect(playbackIntervalMs(1000)).toBe(50);
    expect(playbackIntervalMs(0)).toBe(1000);
  });
});
