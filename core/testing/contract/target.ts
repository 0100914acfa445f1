import { randomUUID } from 'node:crypto';
import type { StoreConfig } from '../../store/config.js';
import type { ConversationStore } from '../../store/types.js';
import type { AppendResult, LoggedAppendResult, MessageInput } from '../../events/types.js';

/**
 * A backend under contract test. `open` returns a new store instance over the same data each
 * time (as separate app servers would have); the suite closes what it opens.
 */
export interface ContractTarget {
  name: string;
  open(overrides?: Pick<StoreConfig, 'limits' | 'cache' | 'readOnly'>): Promise<ConversationStore>;
}

/** The result of an append the log took; throws on one a fallback outbox queued instead. */
export function logged(result: AppendResult): LoggedAppendResult {
  if (result.outcome === 'queued') throw new Error(`append to ${result.conversationId} was queued, not logged`);
  return result;
}

/** A fresh conversation id; tests share stores, never conversations. */
export function newId(prefix = 'conv'): string {
  return `${prefix}-${randomUUID()}`;
}

export function user(content: string, extra: Partial<MessageInput> = {}): MessageInput {
  return { role: 'user', content, ...extra };
}

export function assistant(content: string, extra: Partial<MessageInput> = {}): MessageInput {
  return { role: 'assistant', content, ...extra };
}

/** Resolves when `predicate` holds, polling the given check; fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, predicate: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
