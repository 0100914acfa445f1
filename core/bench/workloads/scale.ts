/**
 * Growth: tail(20) and listConversations (recent, by user, by metadata) on a database holding `small` events against one holding
 * `large`, both loaded with the same probe conversations, measured interleaved. LangChain's
 * Postgres history gets the same number of rows in its own table: its getMessages has no index to
 * use, so its time grows with the table.
 */
import type pg from 'pg';
import { compare, type Subject } from '../harness.js';
import { createPool } from '../pg-pool.js';
import { LANGCHAIN_TABLE, LangChainPostgres } from '../baselines/langchain.js';
import { batch } from '../data.js';
import type { ConversationStore } from '../../store/types.js';
import type { WorkloadKey } from '../results.js';
import type { WorkloadContext } from './context.js';

const PROBE = 'probe';
const PROBE_USER = 'probe-user';
const PROBE_USER_CONVERSATIONS = 20;
const PROBE_USER_MESSAGES = 4;
/** The probe user's conversations carry this tenant; every other conversation one of 100 others. */
const PROBE_TENANT = 'probe-tenant';
const FILLER_TENANTS = 100;
const CONVERSATION_MESSAGES = 100;
/** Appends in flight while loading: enough to keep both cores busy, no more. */
const LOAD_CONCURRENCY = 4;

export interface ScaleDatabase {
  url: string;
  events: number;
}

export async function runScaleWorkloads(ctx: WorkloadContext, small: ScaleDatabase, large: ScaleDatabase): Promise<void> {
  const { profile, results, log } = ctx;
  const stores: ConversationStore[] = [];
  const pools: pg.Pool[] = [];
  try {
    const databases = [small, large];
    const lcs: LangChainPostgres[] = [];
    for (const db of databases) {
      const pool = createPool(db.url, LOAD_CONCURRENCY, log);
      pools.push(pool);
      const lc = new LangChainPostgres(pool);
      lcs.push(lc);
      const began = Date.now();
      await loadLangChain(pool, lc, db.events);
      let store: ConversationStore | null = null;
      if (ctx.openStore) {
        store = await ctx.openStore({ postgres: { url: db.url, poolSize: LOAD_CONCURRENCY } });
        stores.push(store);
        await loadStore(store, db.events, log);
      }
      // Steady state: what autovacuum would reach on its own, done now so it doesn't run
      // during the measurements.
      await pool.query('VACUUM ANALYZE');
      log(`  loaded ${db.events.toLocaleString('en-US')} events in ${((Date.now() - began) / 1000).toFixed(0)} s`);
    }

    const sized = <T>(items: T[]) => items.map((item, i) => ({ item, events: databases[i]!.events }));
    const run = async (workload: WorkloadKey, op: (store: ConversationStore) => Promise<unknown>) => {
      const subjects: Subject[] = sized(stores).map(({ item, events }) => ({ name: String(events), op: { run: () => op(item) } }));
      log(`  ${workload}: ${subjects.map((s) => s.name).join(' vs ')} events × ${profile.scale.operations} ops`);
      const measured = await compare(subjects, { warmupOperations: profile.warmup, operations: profile.scale.operations, concurrency: 1, rounds: profile.rounds });
      measured.forEach((m, i) => results.add(workload, 'storePostgres', m, databases[i]!.events));
    };
    if (stores.length === databases.length) {
      for (const store of stores) {
        const tail = await store.tail(PROBE, 20);
        const list = await store.listConversations({ userId: PROBE_USER, limit: 20 });
        const tenant = await store.listConversations({ metadata: { tenant: PROBE_TENANT }, limit: 20 });
        if (tail.length !== 20 || list.items.length !== PROBE_USER_CONVERSATIONS || tenant.items.length !== PROBE_USER_CONVERSATIONS) {
          throw new Error('scale data set is not as loaded');
        }
      }
      await run('scaleTail', (s) => s.tail(PROBE, 20));
      await run('scaleList', (s) => s.listConversations({ limit: 50 }));
      await run('scaleListUser', (s) => s.listConversations({ userId: PROBE_USER, limit: 20 }));
      await run('scaleListMetadata', (s) => s.listConversations({ metadata: { tenant: PROBE_TENANT }, limit: 20 }));
    }

    const lcSubjects: Subject[] = sized(lcs).map(({ item, events }) => ({ name: String(events), op: { run: () => item.tail(PROBE, 20) } }));
    const operations = profile.scale.langchainOperations;
    log(`  scaleLangChain: ${lcSubjects.map((s) => s.name).join(' vs ')} rows × ${operations} ops`);
    const measured = await compare(lcSubjects, { warmupOperations: 3, operations, concurrency: 1, rounds: 2 });
    measured.forEach((m, i) => results.add('scaleLangChain', 'langchainPostgres', m, databases[i]!.events));
  } finally {
    for (const s of stores) await s.close();
    for (const p of pools) await p.end();
  }
}

/**
 * Loads the probe conversation (started + 100 messages), the probe user's 20 small conversations,
 * then 100-message conversations of other users, the last one cut to size: `events` message and
 * start events. Each conversation is one batched append and one `setMetadata` (its tenant), so
 * the log also holds one metadata event per conversation.
 */
async function loadStore(store: ConversationStore, events: number, log: (line: string) => void): Promise<void> {
  const jobs: Array<{ id: string; userId: string; messages: number; tenant: string }> = [
    { id: PROBE, userId: 'probe-owner', messages: CONVERSATION_MESSAGES, tenant: 'tenant-0' },
  ];
  for (let k = 0; k < PROBE_USER_CONVERSATIONS; k++) {
    jobs.push({ id: `probe-user-${k}`, userId: PROBE_USER, messages: PROBE_USER_MESSAGES, tenant: PROBE_TENANT });
  }
  let remaining = events - jobs.reduce((sum, j) => sum + j.messages + 1, 0);
  for (let k = 0; remaining > 1; k++) {
    const messages = Math.min(CONVERSATION_MESSAGES, remaining - 1);
    jobs.push({ id: `filler-${k}`, userId: `user-${k % 1000}`, messages, tenant: `tenant-${k % FILLER_TENANTS}` });
    remaining -= messages + 1;
  }
  // A single event left over can't be a conversation of its own: the last one takes it.
  if (remaining === 1) jobs[jobs.length - 1]!.messages += 1;
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(jobs.length / 10));
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await store.append(job.id, batch(next * 7, job.messages), { userId: job.userId });
      await store.setMetadata(job.id, { tenant: job.tenant });
      if (++done % step === 0 && jobs.length > 1000) log(`    ${Math.round((done / jobs.length) * 100)}%`);
    }
  };
  // The probe data goes first, in order, so both databases hold it identically.
  for (let k = 0; k <= PROBE_USER_CONVERSATIONS; k++) {
    const job = jobs[next++]!;
    await store.append(job.id, batch(0, job.messages), { userId: job.userId });
    await store.setMetadata(job.id, { tenant: job.tenant });
  }
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
}

/** The probe session through LangChain itself, the rest generated server-side in one statement. */
async function loadLangChain(pool: pg.Pool, lc: LangChainPostgres, rows: number): Promise<void> {
  await lc.migrate();
  for (const input of batch(0, CONVERSATION_MESSAGES)) await lc.append(PROBE, input);
  await pool.query(
    `INSERT INTO ${LANGCHAIN_TABLE} (session_id, message)
     SELECT 'filler-' || (g / $2), jsonb_build_object(
       'type', CASE WHEN g % 2 = 0 THEN 'human' ELSE 'ai' END,
       'content', repeat(md5(g::text), 9), 'additional_kwargs', '{}'::jsonb, 'response_metadata', '{}'::jsonb)
     FROM generate_series(1, $1::int) AS g`,
    [rows - CONVERSATION_MESSAGES, CONVERSATION_MESSAGES],
  );
}
