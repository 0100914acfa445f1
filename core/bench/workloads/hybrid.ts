/**
 * The server workloads: append at concurrency 1 and 32 and in batches of 100, tail(20) on a cache
 * hit and on a miss, a whole-history read, for the hybrid store, the hand-written minimum and
 * LangChain's histories (its PostgreSQL one both as it creates its table and with session_id
 * indexed). Every subject gets its own connections, as separate applications would have.
 */
import { Redis } from 'ioredis';
import { uuidv7 } from '../../events/uuid-v7.js';
import { compare, type Subject } from '../harness.js';
import { createPool } from '../pg-pool.js';
import { PostgresRedisFloor } from '../baselines/floor.js';
import type { BaseMessage } from '@langchain/core/messages';
import { ScrollbackChatMessageHistory } from '../../adapters/langchain.js';
import { LANGCHAIN_INDEXED_TABLE, LangChainPostgres, LangChainRedis, toLangChain } from '../baselines/langchain.js';
import { batch, documentText, messageInput } from '../data.js';
import { conversationKeys } from '../../backends/redis/keys.js';
import type { StoreConfig } from '../../store/config.js';
import type { ConversationStore, TailSource } from '../../store/types.js';
import type { SubjectKey, WorkloadKey } from '../results.js';
import type { WorkloadContext } from './context.js';

const HISTORY = 100;

export async function runHybridWorkloads(ctx: WorkloadContext, urls: { databaseUrl: string; redisUrl: string }): Promise<void> {
  const { profile, results, log } = ctx;
  const cache = profile.cache;
  const floorPool = createPool(urls.databaseUrl, profile.poolSize, log);
  const langchainPool = createPool(urls.databaseUrl, profile.poolSize, log);
  const langchainIndexedPool = createPool(urls.databaseUrl, profile.poolSize, log);
  const floorRedis = new Redis(urls.redisUrl, { maxRetriesPerRequest: 1 });
  const langchainRedisClient = new Redis(urls.redisUrl, { maxRetriesPerRequest: 1 });
  const floor = new PostgresRedisFloor(floorPool, floorRedis, cache);
  const langchainPg = new LangChainPostgres(langchainPool);
  const langchainPgIndexed = new LangChainPostgres(langchainIndexedPool, { tableName: LANGCHAIN_INDEXED_TABLE, indexSessionId: true });
  const langchainRedis = new LangChainRedis(langchainRedisClient, cache.ttlSeconds);
  const stores: ConversationStore[] = [];
  // The same log without a cache, for the appends only: what the cache tier adds to a write,
  // and the store beside LangChain's PostgreSQL history, which keeps no cache either.
  let storePostgres: ConversationStore | null = null;
  try {
    await floor.migrate();
    await langchainPg.migrate();
    await langchainPgIndexed.migrate();
    let store: ConversationStore | null = null;
    let storeNoL1: ConversationStore | null = null;
    if (ctx.openStore) {
      const base = { postgres: { url: urls.databaseUrl, poolSize: profile.poolSize }, redis: { url: urls.redisUrl } };
      store = await ctx.openStore({ ...base, cache: { ...cache } });
      stores.push(store);
      storeNoL1 = await ctx.openStore({ ...base, cache: { ...cache, l1: false } });
      stores.push(storeNoL1);
      storePostgres = await ctx.openStore({ postgres: base.postgres });
    }
    const run: Run = async (workload, subjects, operations, concurrency, warmupOperations = profile.warmup) => {
      log(`  ${workload}: ${subjects.map((s) => s.key).join(', ')} × ${operations} ops at concurrency ${concurrency}`);
      // A round ends with workers idling while the last requests finish, which costs throughput;
      // at least 40 requests per worker per round keeps that edge small.
      const rounds = Math.max(1, Math.min(profile.rounds, Math.floor(operations / (concurrency * 40))));
      const measured = await compare(subjects, { warmupOperations, operations, concurrency, rounds });
      measured.forEach((m, i) => results.add(workload, subjects[i]!.key, m));
    };

    // Appends: each worker keeps to its own conversation, as concurrent chats do. The store's
    // entries are warm first (a chat reads its tail before it appends), so appends take the
    // cache's write-through path rather than the cold-key one.
    for (const concurrency of [1, 32]) {
      const workload: WorkloadKey = concurrency === 1 ? 'appendC1' : 'appendC32';
      const conv = (name: string, worker: number) => `${workload}-${name}-${worker}`;
      const subjects: Array<Subject & { key: SubjectKey }> = [];
      if (store) {
        const s = store;
        for (let w = 0; w < concurrency; w++) {
          await s.append(conv('store', w), messageInput(0), { userId: `user-${w}` });
          await s.tail(conv('store', w));
        }
        subjects.push({ key: 'store', name: 'store', op: { run: (i, w) => s.append(conv('store', w), messageInput(i), { userId: `user-${w}` }) } });
      }
      if (storePostgres) {
        const s = storePostgres;
        subjects.push({ key: 'storePostgres', name: 'storePostgres', op: { run: (i, w) => s.append(conv('pg', w), messageInput(i), { userId: `user-${w}` }) } });
      }
      subjects.push({ key: 'floor', name: 'floor', op: { run: (i, w) => floor.append(conv('floor', w), { ...messageInput(i), id: uuidv7() }) } });
      subjects.push({ key: 'langchainPostgres', name: 'langchainPostgres', op: { run: (i, w) => langchainPg.append(conv('lc', w), messageInput(i)) } });
      subjects.push({
        key: 'langchainPostgresIndexed',
        name: 'langchainPostgresIndexed',
        op: { run: (i, w) => langchainPgIndexed.append(conv('lc-indexed', w), messageInput(i)) },
      });
      await run(workload, subjects, concurrency === 1 ? profile.append.c1 : profile.append.c32, concurrency);
    }

    await runBatchAppends(run, store, storePostgres, floor, profile.append.batch);

    // tail(20) on a hit: a 100-message conversation everywhere, except LangChain's Redis
    // history, which gets a session of exactly 20 (its best case: getMessages reads all of it).
    const hitConv = 'tail-hit';
    await floorRedis.del(`lc:${hitConv}`);
    for (let i = 0; i < HISTORY; i++) await floor.append(hitConv, { ...messageInput(i), id: uuidv7() });
    for (let i = 0; i < 20; i++) await langchainRedis.append(hitConv, messageInput(i));
    const hitSubjects: Array<Subject & { key: SubjectKey }> = [];
    if (store && storeNoL1) {
      const [s, r] = [store, storeNoL1];
      await s.append(hitConv, batch(0, HISTORY), { userId: 'user-hit' });
      await expectSource(r, hitConv, 'redis', results.notes);
      await expectSource(s, hitConv, 'l1', results.notes);
      hitSubjects.push({ key: 'storeRedisTier', name: 'storeRedisTier', op: { run: () => r.tail(hitConv, 20) } });
      hitSubjects.push({ key: 'store', name: 'store', op: { run: () => s.tail(hitConv, 20) } });
    }
    hitSubjects.push({ key: 'floor', name: 'floor', op: { run: () => floor.cachedTail(hitConv, 20) } });
    hitSubjects.push({ key: 'langchainRedis', name: 'langchainRedis', op: { run: () => langchainRedis.tail(hitConv, 20) } });
    await run('tailHit', hitSubjects, profile.tail.hit, 1);

    // tail(20) on a miss: the entry is evicted (untimed) before every read, so each read goes to
    // the log and refills the cache with the last 50 (what both caches keep).
    const missSubjects: Array<Subject & { key: SubjectKey }> = [];
    if (storeNoL1) {
      const r = storeNoL1;
      await expectSource(r, hitConv, 'log', results.notes);
      missSubjects.push({
        key: 'storeRedisTier',
        name: 'storeRedisTier',
        op: { prepare: () => r.cache.evict(hitConv), run: () => r.tail(hitConv, 20) },
      });
    }
    missSubjects.push({
      key: 'floor',
      name: 'floor',
      op: { prepare: () => floor.evict(hitConv), run: () => floor.tailFromLog(hitConv, 20) },
    });
    // For reference: a floor that reads and caches only the 20 it returns (less work per miss,
    // but its next tail(n > 20) misses again).
    missSubjects.push({
      key: 'floorRefill20',
      name: 'floorRefill20',
      op: { prepare: () => floor.evict(hitConv), run: () => floor.tailFromLog(hitConv, 20, 20) },
    });
    await run('tailMiss', missSubjects, profile.tail.miss, 1);
    if (storeNoL1) await expectSource(storeNoL1, hitConv, 'redis', results.notes);

    await runReadAll(run, store, floor, [langchainPg, langchainPgIndexed], profile.readAll, results.notes);

    if (store) await runLangChainTurns(run, store, langchainPg, langchainRedis);

    if (ctx.openStore) {
      await runLargeEntries(ctx, run, floorRedis, {
        postgres: { url: urls.databaseUrl, poolSize: profile.poolSize },
        redis: { url: urls.redisUrl },
        cache: { ...cache, l1: false },
      }, stores);
    }

    for (const s of stores) {
      const scripts = s.stats().cacheScripts;
      results.notes.push(
        `${s === store ? 'hybrid store' : 'hybrid store (L1 off)'} cache scripts: ${Object.entries(scripts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      );
    }
  } finally {
    for (const s of stores) await s.close();
    await storePostgres?.close();
    await Promise.all([floorPool.end(), langchainPool.end(), langchainIndexedPool.end()]);
    floorRedis.disconnect();
    langchainRedisClient.disconnect();
  }
}

/**
 * One chat turn through LangChain's own interface, as an app using RunnableWithMessageHistory
 * does it: addMessage, then getMessages. Scrollback's history reads a window of 20 (the cache
 * tiers); LangChain's histories read the whole session, which the caller then slices.
 */
async function runLangChainTurns(run: Run, store: ConversationStore, langchainPg: LangChainPostgres, langchainRedis: LangChainRedis): Promise<void> {
  const sessions = 8;
  const seed = batch(0, HISTORY).map(toLangChain);
  const scrollback = Array.from({ length: sessions }, (_, i) => new ScrollbackChatMessageHistory({ store, sessionId: `lc-turn-store-${i}`, window: 20 }));
  for (const history of scrollback) await history.addMessages(seed);
  for (let i = 0; i < sessions; i++) {
    for (const message of seed) {
      await langchainPg.history(`lc-turn-${i}`).addMessage(message);
      await langchainRedis.history(`lc-turn-${i}`).addMessage(message);
    }
  }
  const turn = async (add: (m: BaseMessage) => Promise<void>, get: () => Promise<BaseMessage[]>, i: number): Promise<void> => {
    await add(toLangChain(messageInput(i)));
    (await get()).slice(-20);
  };
  const subjects: Array<Subject & { key: SubjectKey }> = [
    { key: 'scrollbackHistory', name: 'scrollbackHistory', op: { run: (i) => { const h = scrollback[i % sessions]!; return turn((m) => h.addMessage(m), () => h.getMessages(), i); } } },
    { key: 'langchainPostgres', name: 'langchainPostgres', op: { run: (i) => { const h = langchainPg.history(`lc-turn-${i % sessions}`); return turn((m) => h.addMessage(m), () => h.getMessages(), i); } } },
    { key: 'langchainRedis', name: 'langchainRedis', op: { run: (i) => { const h = langchainRedis.history(`lc-turn-${i % sessions}`); return turn((m) => h.addMessage(m), () => h.getMessages(), i); } } },
  ];
  await run('langchainTurn', subjects, 800, 1);
}

type Run = (
  workload: WorkloadKey,
  subjects: Array<Subject & { key: SubjectKey }>,
  operations: number,
  concurrency: number,
  warmupOperations?: number,
) => Promise<void>;

const BATCH = 100;

/**
 * One call of 100 messages, one conversation per subject, concurrency 1: the store's entry is
 * warm first, as in the single appends; the floor writes one multi-row INSERT and one pipeline.
 */
async function runBatchAppends(
  run: Run,
  store: ConversationStore | null,
  storePostgres: ConversationStore | null,
  floor: PostgresRedisFloor,
  operations: number,
): Promise<void> {
  const conv = 'append-batch';
  const subjects: Array<Subject & { key: SubjectKey }> = [];
  if (store) {
    const s = store;
    await s.append(`${conv}-store`, messageInput(0), { userId: 'user-batch' });
    await s.tail(`${conv}-store`);
    subjects.push({
      key: 'store',
      name: 'store',
      itemsPerOperation: BATCH,
      op: { run: (i) => s.append(`${conv}-store`, batch(i * BATCH, BATCH), { userId: 'user-batch' }) },
    });
  }
  if (storePostgres) {
    const s = storePostgres;
    subjects.push({
      key: 'storePostgres',
      name: 'storePostgres',
      itemsPerOperation: BATCH,
      op: { run: (i) => s.append(`${conv}-pg`, batch(i * BATCH, BATCH), { userId: 'user-batch' }) },
    });
  }
  subjects.push({
    key: 'floor',
    name: 'floor',
    itemsPerOperation: BATCH,
    op: { run: (i) => floor.appendBatch(`${conv}-floor`, batch(i * BATCH, BATCH).map((m) => ({ ...m, id: uuidv7() }))) },
  });
  // A tenth of the batches as warm-up: each carries 100 messages, so the usual count would
  // outweigh the measurement.
  await run('appendBatch', subjects, operations, 1, Math.max(10, Math.floor(operations / 10)));
}

/**
 * `read(id)` of a 100-message conversation (the hybrid store reads the log) against one SELECT
 * of the floor's rows and LangChain's getMessages of a 100-message session, whose plain table
 * has no index on session_id and also holds the append workloads' rows (counted in the notes).
 */
async function runReadAll(
  run: Run,
  store: ConversationStore | null,
  floor: PostgresRedisFloor,
  langchains: [plain: LangChainPostgres, indexed: LangChainPostgres],
  operations: number,
  notes: string[],
): Promise<void> {
  const id = 'read-all';
  const subjects: Array<Subject & { key: SubjectKey }> = [];
  const expectLength = (who: string, length: number): void => {
    if (length !== HISTORY) throw new Error(`${who} read ${length} messages of ${id}, expected ${HISTORY}`);
  };
  if (store) {
    const s = store;
    await s.append(id, batch(0, HISTORY), { userId: 'user-read' });
    const { events } = await s.read(id);
    expectLength('the store', events.filter((e) => e.type === 'message.appended').length);
    subjects.push({ key: 'store', name: 'store', op: { run: () => s.read(id) } });
  }
  await floor.appendBatch(id, batch(0, HISTORY).map((m) => ({ ...m, id: uuidv7() })));
  expectLength('the floor', (await floor.readAll(id)).length);
  subjects.push({ key: 'floor', name: 'floor', op: { run: () => floor.readAll(id) } });
  const [plain, indexed] = langchains;
  for (const [key, lc] of [['langchainPostgres', plain], ['langchainPostgresIndexed', indexed]] as const) {
    for (const input of batch(0, HISTORY)) await lc.append(id, input);
    expectLength(key, (await lc.readAll(id)).length);
    subjects.push({ key, name: key, op: { run: () => lc.readAll(id) } });
  }
  notes.push(
    `whole-history read: LangChain's tables held ${(await plain.rowCount()).toLocaleString('en-US')} (plain) and ` +
      `${(await indexed.rowCount()).toLocaleString('en-US')} (session_id indexed) rows of all sessions`,
  );
  await run('readAll100', subjects, operations, 1);
}

/**
 * Large cached messages (64 KiB of document-like text each), with and without compression: the
 * p50 difference is the CPU a hit pays to inflate, and MEMORY USAGE says what Redis saves.
 */
async function runLargeEntries(ctx: WorkloadContext, run: Run, redis: Redis, base: StoreConfig, stores: ConversationStore[]): Promise<void> {
  if (!ctx.openStore) return;
  const compressed = await ctx.openStore({ ...base, cache: { ...base.cache, compressAboveBytes: 32 * 1024 } });
  stores.push(compressed);
  const plain = await ctx.openStore(base);
  stores.push(plain);
  const messages = Array.from({ length: 20 }, (_, i) => ({ role: 'assistant' as const, content: documentText(i, 64 * 1024) }));
  const subjects: Array<Subject & { key: SubjectKey }> = [];
  const bytes: string[] = [];
  for (const [key, store] of [['storeRedisTierCompressed', compressed], ['storeRedisTier', plain]] as const) {
    const id = `tail-large-${key}`;
    await store.append(id, messages);
    await expectSource(store, id, 'redis', ctx.results.notes);
    const used = await redis.call('MEMORY', 'USAGE', conversationKeys(id).list, 'SAMPLES', '0');
    bytes.push(`${key === 'storeRedisTier' ? 'plain' : 'compressed'} ${Math.round(Number(used) / 1024)} KiB`);
    subjects.push({ key, name: key, op: { run: () => store.tail(id, 20) } });
  }
  await run('tailHitLarge', subjects, Math.max(200, Math.floor(ctx.profile.tail.hit / 20)), 1);
  ctx.results.notes.push(`large entries (20 messages of 64 KiB), Redis list size: ${bytes.join(', ')}`);
}

/**
 * Checks (untimed) that a tail is served from the tier the workload claims to measure: for 'log'
 * right after an eviction, otherwise on the second read (the first may fill the tier).
 */
async function expectSource(store: ConversationStore, conversationId: string, expected: TailSource, notes: string[]): Promise<void> {
  if (expected === 'log') await store.cache.evict(conversationId);
  else await store.tail(conversationId, 20);
  const { source, messages } = await store.tailWithSource(conversationId, 20);
  if (messages.length !== 20) throw new Error(`tail of ${conversationId} returned ${messages.length} messages, expected 20`);
  if (source !== expected) notes.push(`warning: a tail expected from ${expected} came from ${source}`);
}
