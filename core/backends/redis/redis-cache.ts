/**
 * The Redis tier of the cache: ConversationCache over the Lua scripts in ./scripts. Every call
 * goes through the circuit breaker, and every Redis failure (timeout, connection, server error
 * such as OOM) leaves here as BackendUnavailableError('redis') with the driver error as cause.
 */
import { randomUUID } from 'node:crypto';
import { BackendUnavailableError, ValidationError, isScrollbackError } from '../../errors/errors.js';
import type { Message } from '../../events/types.js';
import type {
  CachedTail,
  CacheInspection,
  ConversationCache,
  ScriptOutcome,
} from '../../cache/conversation-cache.js';
import { createCircuitBreaker, type BreakerSettings, type BreakerStats, type CircuitBreaker } from './circuit-breaker.js';
import { createEntryCodec, type EntryCodec } from './entry-codec.js';
import { conversationKeys, scriptKeys } from './keys.js';
import type { RedisClient } from './redis-client.js';
import { SCRIPTS, runScript, type LuaScript } from './scripts.js';

export interface RedisCacheOptions {
  client: RedisClient;
  /** Messages kept per conversation (the cache's N). */
  maxMessages: number;
  /** Sliding TTL of a conversation's keys. */
  ttlSeconds: number;
  /** This process's event-loop lag, which the default breaker does not blame on Redis. */
  lagMs?: () => number;
  /** Messages whose JSON is longer are stored compressed (default 0: none). */
  compressAboveBytes?: number;
  /** Defaults to a breaker that probes with PING, with these thresholds. */
  breaker?: CircuitBreaker;
  breakerSettings?: Partial<BreakerSettings>;
}

export interface RedisCacheStats {
  /** Reads that found a half-evicted entry (and dropped it). */
  torn: number;
  breaker: BreakerStats;
}

export interface RedisCache extends ConversationCache {
  readonly breaker: CircuitBreaker;
  stats(): RedisCacheStats;
  /** Stops the breaker's timer. The client belongs to the caller and stays open. */
  close(): Promise<void>;
}

const APPEND_OUTCOMES: ReadonlySet<string> = new Set<ScriptOutcome>(['ok', 'duplicate', 'cold', 'gap']);
const FILL_OUTCOMES: ReadonlySet<string> = new Set<ScriptOutcome>(['ok', 'duplicate', 'fenced']);

export function createRedisCache(options: RedisCacheOptions): RedisCache {
  const { client, maxMessages, ttlSeconds } = options;
  if (!Number.isInteger(maxMessages) || maxMessages < 1) {
    throw new ValidationError('cache.maxMessages', 'must be a positive integer');
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new ValidationError('cache.ttlSeconds', 'must be a positive integer');
  }
  const ttlMs = ttlSeconds * 1000;
  const codec = createEntryCodec(options.compressAboveBytes ?? 0);
  const encodeMessage = (message: Message): string => codec.encode(JSON.stringify(message));
  const slides = createSlideSchedule(ttlMs / 10);
  const breaker =
    options.breaker ?? createCircuitBreaker({ ...options.breakerSettings, probe: () => client.ping(), ...(options.lagMs ? { lagMs: options.lagMs } : {}) });
  let torn = 0;

  const call = async (script: LuaScript, conversationId: string, args: (string | number)[]): Promise<unknown> => {
    const keys = scriptKeys(conversationKeys(conversationId));
    try {
      return await breaker.run(() => runScript(client, script, keys, args));
    } catch (error) {
      throw isScrollbackError(error) ? error : wrap(error);
    }
  };

  const outcome = (reply: unknown, allowed: ReadonlySet<string>, script: string): ScriptOutcome => {
    if (typeof reply === 'string' && allowed.has(reply)) return reply as ScriptOutcome;
    throw new BackendUnavailableError('redis', `unexpected reply from the ${script} script`);
  };

  return {
    breaker,

    async read(conversationId, n) {
      checkCount('n', n);
      // The hot path is a MULTI rather than the read script: the same atomic snapshot and TTL
      // slide without a Lua call per read. Anything but a clean hit or miss goes to the script,
      // which decides (and drops a torn remainder) atomically.
      if (n > 0) {
        const keys = conversationKeys(conversationId);
        let replies: [Error | null, unknown][] | null;
        try {
          replies = await breaker.run(() => {
            const multi = client.multi().hmget(keys.meta, 'v', 'p', 'n', 'c').lrange(keys.list, -n, -1);
            // Sliding the TTL on every read would triple the commands of the hottest call; once
            // per tenth of the TTL per conversation keeps it sliding all the same.
            if (slides.due(conversationId)) multi.pexpire(keys.meta, ttlMs).pexpire(keys.list, ttlMs).pexpire(keys.fence, ttlMs);
            return multi.exec();
          });
        } catch (error) {
          throw isScrollbackError(error) ? error : wrap(error);
        }
        const snapshot = fastRead(replies, n);
        if (snapshot === 'miss') return null;
        if (snapshot !== 'unsure') {
          const messages = decodeMessages(snapshot.items, codec);
          if (messages !== null) return { version: snapshot.version, position: snapshot.position, messages };
        }
      }
      const reply = await call(SCRIPTS.read, conversationId, [n, ttlMs]);
      if (!Array.isArray(reply) || typeof reply[0] !== 'string') {
        throw new BackendUnavailableError('redis', 'unexpected reply from the read script');
      }
      if (reply[0] === 'torn') torn++;
      if (reply[0] !== 'hit') return null;
      const messages = decodeMessages(reply.slice(3), codec);
      if (messages === null) {
        // Not ours (or corrupted): drop it rather than serve it.
        torn++;
        await call(SCRIPTS.invalidate, conversationId, ['', ttlMs, '']);
        return null;
      }
      return { version: toInt(reply[1]), position: toInt(reply[2]), messages };
    },

    async append(conversationId, previousVersion, appended) {
      checkCount('previousVersion', previousVersion);
      checkTail(appended);
      const reply = await call(SCRIPTS.append, conversationId, [
        previousVersion,
        appended.version,
        appended.position,
        maxMessages,
        ttlMs,
        // The script trims the list to maxMessages: older ones would be pushed only to be dropped.
        ...appended.messages.slice(-maxMessages).map(encodeMessage),
      ]);
      return outcome(reply, APPEND_OUTCOMES, 'append');
    },

    async fill(conversationId, snapshot, leaseToken) {
      checkTail(snapshot);
      const reply = await call(SCRIPTS.fill, conversationId, [
        snapshot.version,
        snapshot.position,
        maxMessages,
        ttlMs,
        leaseToken ?? '',
        ...snapshot.messages.slice(-maxMessages).map(encodeMessage),
      ]);
      return outcome(reply, FILL_OUTCOMES, 'fill');
    },

    async invalidate(conversationId, position, options) {
      if (position !== undefined) checkCount('position', position);
      await call(SCRIPTS.invalidate, conversationId, [position === undefined ? '' : position, ttlMs, options?.onlyOlder === true ? '1' : '']);
    },

    async head(conversationId) {
      const keys = conversationKeys(conversationId);
      let reply: unknown;
      try {
        reply = await breaker.run(async () => {
          if (!slides.due(conversationId)) return client.hget(keys.meta, 'p');
          // Same round trip: the entry an in-process copy stands for must not expire under it.
          const replies = await client.multi().hget(keys.meta, 'p').pexpire(keys.meta, ttlMs).pexpire(keys.list, ttlMs).pexpire(keys.fence, ttlMs).exec();
          const [first] = replies ?? [];
          if (first === undefined || first[0] !== null) throw first?.[0] ?? new Error('transaction aborted');
          return first[1];
        });
      } catch (error) {
        throw isScrollbackError(error) ? error : wrap(error);
      }
      if (reply === null) return null;
      const position = Number(reply);
      // Not a number the store wrote: treat as nothing cached (the read path will drop it).
      return Number.isSafeInteger(position) ? position : null;
    },

    async lease(conversationId, ms) {
      checkCount('ms', ms);
      const keys = conversationKeys(conversationId);
      const token = randomUUID();
      try {
        return (await breaker.run(() => client.set(keys.lease, token, 'PX', Math.max(1, ms), 'NX'))) === 'OK' ? token : null;
      } catch (error) {
        throw isScrollbackError(error) ? error : wrap(error);
      }
    },

    async inspect(conversationId) {
      const reply = await call(SCRIPTS.inspect, conversationId, []);
      if (!Array.isArray(reply) || reply.length < 10 || !reply.every((item) => typeof item === 'string')) {
        throw new BackendUnavailableError('redis', 'unexpected reply from the inspect script');
      }
      return toInspection(reply as string[], codec);
    },

    stats() {
      return { torn, breaker: breaker.stats() };
    },

    async close() {
      breaker.close();
    },
  };
}

function toInspection(reply: string[], codec: EntryCodec): CacheInspection {
  const [metaExists, v, p, n, , llenText, pttlMeta, pttlList, , fenceText] = reply;
  const items = reply.slice(10);
  const llen = Number(llenText);
  const hasMeta = metaExists === '1';
  const intact = hasMeta && v !== '' && p !== '' && n !== '' && Number(n) === llen;
  const torn = (hasMeta && !intact) || (!hasMeta && llen > 0);
  const fence = fenceText === undefined || fenceText === '' ? null : Number(fenceText);
  if (!intact) return { entry: null, torn, fence };

  const messages = decodeMessages(items, codec);
  const ttls = [Number(pttlMeta), ...(llen > 0 ? [Number(pttlList)] : [])];
  const ttlSeconds = ttls.some((ttl) => ttl < 0) ? -1 : Math.ceil(Math.min(...ttls) / 1000);
  return {
    entry: messages === null ? null : { version: toInt(v), position: toInt(p), messages, ttlSeconds },
    torn: torn || messages === null,
    fence,
  };
}

function decodeMessages(items: unknown[], codec: EntryCodec): Message[] | null {
  const messages: Message[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return null;
    let value: unknown;
    try {
      value = JSON.parse(codec.decode(item));
    } catch {
      return null;
    }
    if (!isMessage(value)) return null;
    messages.push(value);
  }
  return messages;
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.id === 'string' &&
    typeof m.conversationId === 'string' &&
    typeof m.version === 'number' &&
    typeof m.role === 'string' &&
    typeof m.content === 'string' &&
    (m.parts === undefined || Array.isArray(m.parts)) &&
    typeof m.createdAt === 'string' &&
    typeof m.metadata === 'object' &&
    m.metadata !== null &&
    typeof m.redacted === 'boolean'
  );
}

/** Which conversations' TTLs are due a slide; bounded, forgets the oldest first. */
function createSlideSchedule(everyMs: number, now: () => number = Date.now): { due(conversationId: string): boolean } {
  const last = new Map<string, number>();
  return {
    due(conversationId) {
      const at = now();
      const previous = last.get(conversationId);
      if (previous !== undefined && at - previous < everyMs) return false;
      last.delete(conversationId);
      last.set(conversationId, at);
      if (last.size > 10_000) {
        const oldest = last.keys().next();
        if (!oldest.done) last.delete(oldest.value);
      }
      return true;
    },
  };
}

/**
 * Reads the MULTI's replies: a clean hit, a clean miss (no key at all), or 'unsure' (torn, short,
 * malformed, or an error inside the transaction) for the read script to settle.
 */
function fastRead(replies: [Error | null, unknown][] | null, n: number): { version: number; position: number; items: unknown[] } | 'miss' | 'unsure' {
  if (replies === null || replies.some(([error]) => error !== null)) return 'unsure';
  const meta = replies[0]?.[1];
  const items = replies[1]?.[1];
  if (!Array.isArray(meta) || !Array.isArray(items)) return 'unsure';
  const [v, p, count, cap] = meta.map((field) => (field === null ? null : Number(field)));
  if (v === null && p === null && count === null && items.length === 0) return 'miss';
  if (v === null || p === null || count === null || v === undefined || p === undefined || count === undefined) return 'unsure';
  // Eviction takes whole keys: a list that is gone or other than the meta says shows up here.
  if (!Number.isSafeInteger(v) || !Number.isSafeInteger(p) || items.length !== Math.min(n, count)) return 'unsure';
  // Trimmed to fewer than n by a smaller cap: only the script's 'short' rule may decide.
  if (n > count && count >= (cap ?? 0)) return 'unsure';
  return { version: v, position: p, items };
}

function toInt(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new BackendUnavailableError('redis', 'malformed cache entry');
  return n;
}

function checkCount(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(field, 'must be a non-negative integer');
}

function checkTail(tail: CachedTail): void {
  checkCount('version', tail.version);
  checkCount('position', tail.position);
}

/** One wrap, here at the boundary; the message names the kind of failure, never data. */
function wrap(error: unknown): BackendUnavailableError {
  const text = error instanceof Error ? error.message : '';
  const reason = /timed out/i.test(text)
    ? 'command timed out'
    : // "Cluster isn't ready": the Cluster client is between connections to its nodes.
      /writeable|closed|isn't ready|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|MaxRetriesPerRequest|reach/i.test(text)
      ? 'connection unavailable'
      : `server error ${/^[A-Z]+/.exec(text)?.[0] ?? 'unknown'}`;
  return new BackendUnavailableError('redis', reason, { cause: error });
}
