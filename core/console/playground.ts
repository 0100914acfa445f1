/**
 * The playground: one chat turn against an environment's store, timed step by step. History is
 * read as a chat backend reads it (tail, with where it came from), the user message is appended,
 * a responder answers (scripted and local by default, or an OpenAI-compatible endpoint called
 * from the server with a bounded timeout), and the reply is appended.
 */
import { createHash } from 'node:crypto';
import { uuidv7 } from '../events/uuid-v7.js';
import type { JsonObject, Message } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';
import type { PlaygroundTurn, ResponderInput } from './api.js';
import { ConsoleError } from './console-error.js';
import { describeConnectionError } from './connection-errors.js';

export interface Reply {
  content: string;
  metadata: JsonObject;
}

const SCRIPTED_OPENERS = [
  'Here is what I would check first.',
  'Short answer: yes, with one caveat.',
  'Let me walk through it step by step.',
  'Good question — it depends on where the history is read from.',
];

/** Deterministic: the same history and message always give the same reply. */
export function scriptedReply(history: Pick<Message, 'role' | 'content' | 'redacted'>[], content: string): Reply {
  const digest = createHash('sha256').update(`${history.length}\u0000${content}`).digest();
  const opener = SCRIPTED_OPENERS[(digest[0] ?? 0) % SCRIPTED_OPENERS.length] ?? '';
  const words = content.trim().split(/\s+/).filter((w) => w.length > 0).length;
  const userTurns = history.filter((m) => m.role === 'user').length + 1;
  const lines = [
    opener,
    `You wrote ${words} word${words === 1 ? '' : 's'}; this is turn ${userTurns} of this conversation, and I was given ${history.length} earlier message${history.length === 1 ? '' : 's'} as context.`,
  ];
  const metadata: JsonObject = {
    model: 'scripted-responder',
    tokens: { prompt: history.reduce((sum, m) => sum + Math.ceil(m.content.length / 4), 0) + Math.ceil(content.length / 4), completion: 32 },
    latencyMs: 0,
  };
  if (/\b(time|clock|date)\b/i.test(content)) {
    lines.push('I called the `current_time` tool to answer that.');
    metadata.toolCalls = [{ id: `call_${digest.subarray(1, 7).toString('hex')}`, name: 'current_time', arguments: '{"timezone":"UTC"}' }];
  }
  return { content: lines.join('\n\n'), metadata };
}

interface ChatCompletion {
  model?: unknown;
  choices?: { message?: { content?: unknown } }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

export async function openAiReply(
  responder: Extract<ResponderInput, { kind: 'openai' }>,
  history: Pick<Message, 'role' | 'content' | 'redacted'>[],
  content: string,
  fetchImpl: typeof fetch,
): Promise<Reply> {
  const base = responder.baseUrl.replace(/\/+$/, '');
  const target = new URL(base).host;
  const started = performance.now();
  let response: Response;
  try {
    response = await fetchImpl(`${base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(responder.apiKey !== undefined ? { authorization: `Bearer ${responder.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: responder.model,
        messages: [...history.filter((m) => !m.redacted).map((m) => ({ role: m.role, content: m.content })), { role: 'user', content }],
      }),
      signal: AbortSignal.timeout(responder.timeoutMs ?? 30_000),
      redirect: 'error',
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new ConsoleError('CONNECTION_FAILED', `The endpoint at ${target} did not answer within ${(responder.timeoutMs ?? 30_000) / 1000} s.`);
    }
    throw new ConsoleError('CONNECTION_FAILED', describeConnectionError('http', error, target).message, { cause: error });
  }
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? ' (check the API key)' : response.status === 404 ? ' (check the base URL and model)' : '';
    throw new ConsoleError('CONNECTION_FAILED', `The endpoint at ${target} answered HTTP ${response.status}${hint}.`);
  }
  const body = (await response.json().catch(() => null)) as ChatCompletion | null;
  const reply = body?.choices?.[0]?.message?.content;
  if (typeof reply !== 'string') throw new ConsoleError('CONNECTION_FAILED', `The endpoint at ${target} did not return a chat completion.`);
  const metadata: JsonObject = {
    model: typeof body?.model === 'string' ? body.model : responder.model,
    latencyMs: Math.round(performance.now() - started),
  };
  const prompt = body?.usage?.prompt_tokens;
  const completion = body?.usage?.completion_tokens;
  if (typeof prompt === 'number' && typeof completion === 'number') metadata.tokens = { prompt, completion };
  return { content: reply, metadata };
}

function ms(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

export async function playgroundTurn(
  store: ConversationStore,
  input: { conversationId?: string | undefined; content: string; responder: ResponderInput; historySize?: number | undefined },
  fetchImpl: typeof fetch,
): Promise<PlaygroundTurn> {
  const totalStart = performance.now();
  const conversationId = input.conversationId ?? `playground-${uuidv7()}`;
  const options = { userId: 'playground', metadata: { causationId: 'console-playground' } };

  const historyStart = performance.now();
  const history = await store.tailWithSource(conversationId, input.historySize ?? 20);
  const historyMs = ms(historyStart);

  let appendStart = performance.now();
  const userResult = await store.append(conversationId, { role: 'user', content: input.content }, options);
  let appendMs = ms(appendStart);

  const responderStart = performance.now();
  const reply =
    input.responder.kind === 'scripted'
      ? scriptedReply(history.messages, input.content)
      : await openAiReply(input.responder, history.messages, input.content, fetchImpl);
  const responderMs = ms(responderStart);
  if (input.responder.kind === 'scripted') reply.metadata.latencyMs = responderMs;

  appendStart = performance.now();
  const assistantResult = await store.append(conversationId, { role: 'assistant', content: reply.content, metadata: reply.metadata }, options);
  appendMs += ms(appendStart);

  const user = userResult.messages[0];
  const assistant = assistantResult.messages[0];
  if (user === undefined || assistant === undefined) throw new Error('append returned no message');
  return {
    conversationId,
    user,
    assistant,
    history: { source: history.source, count: history.messages.length, ms: history.ms },
    timings: { historyMs, responderMs, appendMs, totalMs: ms(totalStart) },
    responder: input.responder.kind,
  };
}
