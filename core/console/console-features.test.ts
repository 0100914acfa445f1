import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { seedDemoConversations } from '../demo/seed.js';
import { importEvents, parseJsonl, readAllEvents, toJsonl } from './handlers/transfer.js';
import { openAiReply, playgroundTurn, scriptedReply } from './playground.js';
import { TrafficSimulator } from './traffic.js';
import { useMemoryStores } from '../testing/memory-stores.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

const memoryStore = useMemoryStores();

describe('export and import', () => {
  it('round-trips a conversation with renames and redactions, masking content by default', async () => {
    const source = await memoryStore();
    await source.append('c1', [{ role: 'user', content: 'my address is 1 Main St' }, { role: 'assistant', content: 'noted', metadata: { model: 'm', note: 'secret note' } }], { userId: 'u1' });
    const first = (await source.tail('c1'))[0];
    await source.rename('c1', 'Address change');
    await source.redact('c1', first?.id ?? '', { mode: 'mask', reason: 'gdpr' });
    const jsonl = toJsonl(await readAllEvents(source, 'c1'));

    const target = await memoryStore();
    await importEvents(target, parseJsonl(jsonl), { conversationId: 'copy', maskContent: true });
    const state = await target.stateAt('copy', (await target.getConversation('copy'))?.version ?? 0);
    expect(state.title).toBe('Address change');
    expect(state.userId).toBe('u1');
    expect(state.messages.map((m) => m.id)).toEqual((await source.tail('c1')).map((m) => m.id));
    expect(state.messages[0]?.redacted).toBe(true);
    expect(JSON.stringify(state)).not.toContain('Main St');
    expect(JSON.stringify(state)).not.toContain('secret note');
    expect(state.messages[1]?.metadata.model).toBe('m');

    const plain = await memoryStore();
    await importEvents(plain, parseJsonl(jsonl), { conversationId: 'c1', maskContent: false });
    expect((await plain.tail('c1'))[1]?.content).toBe('noted');
  });

  it('rejects files that are not one conversation of Scrollback events', () => {
    expect(() => parseJsonl('not json')).toThrow(/line 1 is not JSON/);
    expect(() => parseJsonl('{"a":1}')).toThrow(/not a Scrollback event/);
    const event = (id: string, version: number) => JSON.stringify({ conversationId: id, version, eventId: `e${version}`, type: 'message.appended', data: { role: 'user', content: 'x', metadata: {} } });
    expect(() => parseJsonl(`${event('a', 1)}\n${event('b', 2)}`)).toThrow(/another conversation/);
    expect(() => parseJsonl(`${event('a', 2)}\n${event('a', 1)}`)).toThrow(/out of version order/);
  });
});

describe('playground', () => {
  it('answers deterministically with the scripted responder and reports where history came from', async () => {
    expect(scriptedReply([], 'hello')).toEqual(scriptedReply([], 'hello'));
    expect(scriptedReply([], 'what time is it').metadata.toolCalls).toBeDefined();
    const store = await memoryStore();
    const first = await playgroundTurn(store, { content: 'hello', responder: { kind: 'scripted' } }, fetch);
    const second = await playgroundTurn(store, { conversationId: first.conversationId, content: 'again', responder: { kind: 'scripted' } }, fetch);
    expect(second.history).toMatchObject({ source: 'log', count: 2 });
    expect(second.assistant.version).toBe(5);
    expect(second.timings.totalMs).toBeGreaterThanOrEqual(second.timings.responderMs);
  });

  it('calls an OpenAI-compatible endpoint with the history and reports HTTP errors in words', async () => {
    let sent: { url: string; body: unknown; auth: string | null } | undefined;
    const fake: typeof fetch = async (url, init) => {
      sent = { url: String(url), body: JSON.parse(String(init?.body)), auth: new Headers(init?.headers).get('authorization') };
      return new Response(JSON.stringify({ model: 'local-llm', choices: [{ message: { content: 'hi there' } }], usage: { prompt_tokens: 3, completion_tokens: 2 } }), { status: 200 });
    };
    const responder = { kind: 'openai' as const, baseUrl: 'http://127.0.0.1:9/v1/', model: 'llm', apiKey: 'sk-test' };
    const reply = await openAiReply(responder, [], 'hello', fake);
    expect(reply).toMatchObject({ content: 'hi there', metadata: { model: 'local-llm', tokens: { prompt: 3, completion: 2 } } });
    expect(sent).toMatchObject({ url: 'http://127.0.0.1:9/v1/chat/completions', auth: 'Bearer sk-test', body: { model: 'llm', messages: [{ role: 'user', content: 'hello' }] } });

    const unauthorised: typeof fetch = async () => new Response('no', { status: 401 });
    await expect(openAiReply(responder, [], 'x', unauthorised)).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringMatching(/HTTP 401.*API key/) });
    const port = await closedPort();
    await expect(openAiReply({ ...responder, baseUrl: `http://127.0.0.1:${port}/v1` }, [], 'x', fetch)).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringMatching(/refused/) });
  });
});

describe('traffic simulator', () => {
  it('drives turns against the store and stops when asked', async () => {
    const store = await memoryStore();
    await seedDemoConversations(store, { conversations: 2 });
    const traffic = new TrafficSimulator(async () => store);
    const started = await traffic.start('env', 50, 30);
    expect(started).toMatchObject({ running: true, ratePerSecond: 50 });
    await expect.poll(() => traffic.status('env').turns, { timeout: 10_000 }).toBeGreaterThan(5);
    const stopped = await traffic.stop('env');
    expect(stopped.running).toBe(false);
    const appends = store.stats().appends;
    const turns = stopped.turns;
    // After stop resolves nothing is in flight and no timer is left to start more.
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.stats().appends).toBe(appends);
    expect(traffic.status('env').turns).toBe(turns);
    expect(stopped.errors).toBe(0);
  });

  it('clamps rate and duration to the bounds whatever the caller asks', async () => {
    const store = await memoryStore();
    const traffic = new TrafficSimulator(async () => store);
    const started = await traffic.start('env', 10_000, 100_000);
    expect(started.ratePerSecond).toBe(200);
    expect(Date.parse(started.endsAt ?? '') - Date.now()).toBeLessThanOrEqual(300_000);
    await traffic.stopAll();
  });
});
