/**
 * LangChain JS's Redis chat histories (`RedisChatMessageHistory` from @langchain/community,
 * ioredis and node-redis flavours alike): one list per session, keyed by the session id itself,
 * each element `JSON.stringify({ type, data })`, written with LPUSH, so the newest message is at
 * the head. Keys are found with SCAN (never KEYS); a key that is not a list, or whose oldest element
 * is not a LangChain message, is skipped and counted. `prefix` narrows the scan and is stripped
 * from the session id (LangChain itself uses none).
 */
import { Redis } from 'ioredis';
import { BackendUnavailableError, ValidationError } from '../../errors/errors.js';
import { importedMessageId } from './deterministic-id.js';
import { fromLangChain, isStoredMessage } from './langchain-message.js';
import { uniqueIds, type ImportConversation, type ImportPlan, type ImportSource } from './source.js';

const FORMAT = 'langchain-redis';

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/gu, (c) => `\\${c}`);
}

function parseElement(raw: string, field: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // The parser's message quotes the text: never print it.
    throw new ValidationError(field, 'is not JSON');
  }
}

export function createLangChainRedisSource(url: string, options: { prefix: string }): ImportSource & { skippedKeys(): number } {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // Reported through the failing command; the event alone must not crash the process.
  client.on('error', () => undefined);
  let sessions: { key: string; length: number }[] | undefined;
  let skipped = 0;

  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new BackendUnavailableError('redis', 'cannot read the LangChain source', { cause: error });
    }
  };

  const discover = async (): Promise<{ key: string; length: number }[]> => {
    if (sessions !== undefined) return sessions;
    await run(() => client.connect());
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await run(() => client.scan(cursor, 'MATCH', `${globEscape(options.prefix)}*`, 'COUNT', 1000));
      cursor = next;
      for (const key of batch) keys.add(key);
    } while (cursor !== '0');
    const sorted = [...keys].sort();
    const found: { key: string; length: number }[] = [];
    for (let i = 0; i < sorted.length; i += 500) {
      const chunk = sorted.slice(i, i + 500);
      const pipeline = client.pipeline();
      for (const key of chunk) pipeline.type(key).llen(key).lindex(key, -1);
      const replies = (await run(() => pipeline.exec())) ?? [];
      chunk.forEach((key, j) => {
        const [type, length, oldest] = [replies[j * 3]?.[1], replies[j * 3 + 1]?.[1], replies[j * 3 + 2]?.[1]];
        let looksRight = false;
        if (type === 'list' && typeof length === 'number' && length > 0 && typeof oldest === 'string') {
          try {
            looksRight = isStoredMessage(JSON.parse(oldest));
          } catch {
            // Not JSON: some other application's list, skipped and counted like any foreign key.
            looksRight = false;
          }
        }
        if (looksRight && typeof length === 'number') found.push({ key, length });
        else skipped++;
      });
    }
    sessions = found;
    return found;
  };

  return {
    skippedKeys: () => skipped,
    async plan(): Promise<ImportPlan> {
      const found = await discover();
      return { conversations: found.length, messages: found.reduce((sum, s) => sum + s.length, 0) };
    },
    async *conversations(): AsyncIterable<ImportConversation> {
      for (const { key } of await discover()) {
        const sessionId = key.slice(options.prefix.length);
        // LPUSH puts the newest first: reverse to oldest first, so places stay stable as sessions grow.
        const raw = (await run(() => client.lrange(key, 0, -1))).reverse();
        const unique = uniqueIds();
        const items = raw.map((element, index) => {
          const field = `message ${index + 1} of session "${sessionId.slice(0, 80)}"`;
          const { ownId, ...message } = fromLangChain(parseElement(element, field), field);
          const derived = (): string => importedMessageId(FORMAT, sessionId, String(index), undefined);
          const id = unique(importedMessageId(FORMAT, sessionId, String(index), ownId), derived);
          return { kind: 'message' as const, message: { ...message, id } };
        });
        yield { conversationId: sessionId, userId: null, items };
      }
    },
    async close() {
      client.disconnect();
    },
  };
}
