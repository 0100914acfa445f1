import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import type { ApiInput, PlaygroundTurn } from '../../api/contract.js';
import { message } from '../../testing/fixtures.js';
import { storeWith } from '../../testing/fake-api.js';

function turn(input: ApiInput<'playground.send'>): PlaygroundTurn {
  return {
    conversationId: input.conversationId ?? 'new-conv',
    user: message(2, { role: 'user', content: input.content }),
    assistant: message(3, { role: 'assistant' }),
    history: { source: input.conversationId ? 'redis' : 'log', count: 0, ms: 1 },
    timings: { historyMs: 1, responderMs: 2, appendMs: 3, totalMs: 6 },
    responder: input.responder.kind,
  };
}

describe('playground slice', () => {
  it('starts a new conversation, then continues it', async () => {
    const { store, api } = storeWith({ 'playground.send': turn });
    expect(await store.getState().sendPlayground('hello')).toBe(true);
    expect(store.getState().playground.conversationId).toBe('new-conv');
    await store.getState().sendPlayground('again');
    expect(api.calls[1]?.input).toMatchObject({ conversationId: 'new-conv', content: 'again', responder: { kind: 'scripted' } });
    expect(store.getState().playground.turns.map((t) => t.history.source)).toEqual(['log', 'redis']);
  });

  it('passes an OpenAI-compatible responder, without an empty key', async () => {
    const { store, api } = storeWith({ 'playground.send': turn });
    store.getState().setResponder({ kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama', apiKey: '' });
    await store.getState().sendPlayground('hi');
    expect((api.calls[0]?.input as ApiInput<'playground.send'>).responder).toEqual({ kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama' });
  });

  it('does not send blank messages and reports failures', async () => {
    const { store, api } = storeWith({
      'playground.send': () => {
        throw new ApiError('READ_ONLY', 'playground.send is a write', 403);
      },
    });
    expect(await store.getState().sendPlayground('   ')).toBe(false);
    expect(api.calls).toHaveLength(0);
    expect(await store.getState().sendPlayground('x')).toBe(false);
    expect(store.getState().playground).toMatchObject({ sending: false, error: expect.stringMatching(/read-only/) });
  });

  it('says in words what is missing from an endpoint responder, and sends nothing', async () => {
    const { store, api } = storeWith({ 'playground.send': turn });
    store.getState().setResponder({ kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: '  ', apiKey: '' });
    expect(await store.getState().sendPlayground('hi')).toBe(false);
    expect(api.calls).toHaveLength(0);
    expect(store.getState().playground.error).toMatch(/^Enter a model name/);
    store.getState().setResponder({ kind: 'openai', baseUrl: 'ftp://x', model: 'm', apiKey: '' });
    await store.getState().sendPlayground('hi');
    expect(store.getState().playground.error).toMatch(/http:\/\/ or https:\/\//);
  });
});
