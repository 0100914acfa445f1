/**
 * Embedded mode: batched append throughput (100 messages per call) and tail(20), the store on
 * SQLite against raw better-sqlite3 with the same pragmas (WAL, and the synchronous level that
 * matches the durability the store is opened with), each on a file of its own in a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { uuidv7 } from '../../events/uuid-v7.js';
import { compare, type Subject } from '../harness.js';
import { SqliteFloor } from '../baselines/floor.js';
import { batch } from '../data.js';
import type { ConversationStore } from '../../store/types.js';
import type { SqliteDurability } from '../../backends/sqlite/durability.js';
import type { SubjectKey, WorkloadKey } from '../results.js';
import type { WorkloadContext } from './context.js';

const CONVERSATIONS = 10;
/**
 * The store's default, named here so the raw floor is held to the same fsync policy: comparing a
 * store at synchronous=FULL with raw SQLite at NORMAL measures durability, not the store.
 */
const DURABILITY: SqliteDurability = 'full';
const SYNCHRONOUS: Record<SqliteDurability, string> = { full: 'FULL', normal: 'NORMAL' };

export async function runEmbeddedWorkloads(ctx: WorkloadContext): Promise<string> {
  const { profile, results, log } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'scrollback-bench-'));
  const raw = new Database(join(dir, 'raw.db'));
  let store: ConversationStore | null = null;
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma(`synchronous = ${SYNCHRONOUS[DURABILITY]}`);
    raw.pragma('foreign_keys = ON');
    raw.pragma('secure_delete = ON');
    raw.pragma('busy_timeout = 5000');
    const floor = new SqliteFloor(raw);
    if (ctx.openStore) store = await ctx.openStore({ sqlite: { path: join(dir, 'store.db'), durability: DURABILITY } });
    const synchronous = String(raw.pragma('synchronous', { simple: true }));
    results.notes.push(
      `embedded: the store opened with durability '${DURABILITY}' (its default), raw better-sqlite3 with journal_mode=WAL, ` +
        `synchronous=${SYNCHRONOUS[DURABILITY]} (PRAGMA synchronous reads ${synchronous})`,
    );

    const run = async (workload: WorkloadKey, subjects: Array<Subject & { key: SubjectKey }>, operations: number) => {
      log(`  ${workload}: ${subjects.map((s) => s.key).join(', ')} × ${operations} ops`);
      const measured = await compare(subjects, { warmupOperations: Math.min(profile.warmup, operations), operations, concurrency: 1, rounds: profile.rounds });
      measured.forEach((m, i) => results.add(workload, subjects[i]!.key, m));
    };

    const size = profile.embedded.batchSize;
    const conv = (i: number) => `embedded-${i % CONVERSATIONS}`;
    const appendSubjects: Array<Subject & { key: SubjectKey }> = [];
    if (store) {
      const s = store;
      appendSubjects.push({ key: 'storeEmbedded', name: 'store', itemsPerOperation: size, op: { run: (i) => s.append(conv(i), batch(i * size, size)) } });
    }
    appendSubjects.push({
      key: 'floorSqlite',
      name: 'raw',
      itemsPerOperation: size,
      op: { run: (i) => floor.append(conv(i), batch(i * size, size).map((m) => ({ ...m, id: uuidv7() }))) },
    });
    await run('embeddedAppend', appendSubjects, profile.embedded.batches);

    const tailConv = 'embedded-tail';
    const tailSubjects: Array<Subject & { key: SubjectKey }> = [];
    if (store) {
      const s = store;
      await s.append(tailConv, batch(0, 100));
      const check = await s.tail(tailConv, 20);
      if (check.length !== 20) throw new Error(`embedded tail returned ${check.length} messages`);
      tailSubjects.push({ key: 'storeEmbedded', name: 'store', op: { run: () => s.tail(tailConv, 20) } });
    }
    floor.append(tailConv, batch(0, 100).map((m) => ({ ...m, id: uuidv7() })));
    tailSubjects.push({ key: 'floorSqlite', name: 'raw', op: { run: () => floor.tail(tailConv, 20) } });
    await run('embeddedTail', tailSubjects, profile.embedded.tail);

    return String(raw.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()?.v ?? 'unknown');
  } finally {
    await store?.close();
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
