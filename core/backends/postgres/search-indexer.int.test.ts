import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { ControlEvent, EventLog } from '../log.js';
import { createPostgresLog } from './postgres-log.js';
import { createSearchIndexer, type SearchIndexer } from './search-indexer.js';
import { appendRequest, controlRequest, conversationId, newMessage } from './test-support.js';
import { createTransactionRunner } from './transaction.js';

// Searches must find every committed message whether or not the indexer has reached it. The logs
// here never index by themselves; each test drives indexers by hand, so it can search both before
// and after they run.
describe('postgres search indexer', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  let pool: pg.Pool;
  let log: EventLog;
  const indexers: SearchIndexer[] = [];
  const indexerErrors: unknown[] = [];
  const openIndexer = (batchSize?: number): SearchIndexer => {
    const indexer = createSearchIndexer({
      transaction: createTransactionRunner(pool, 5_000),
      onError: (error) => indexerErrors.push(error),
      ...(batchSize === undefined ? {} : { batchSize }),
    });
    indexers.push(indexer);
    return indexer;
  };
  let indexer: SearchIndexer;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
    log = createPostgresLog({ url: database.url, searchIndexer: false });
    await log.migrate();
    indexer = openIndexer();
  });
  beforeEach(async () => {
    await indexer.catchUp();
  });
  afterAll(async () => {
    await Promise.all(indexers.map((i) => i.close()));
    await log.close();
    await pool.end();
    await admin.end();
    await database.drop();
  });

  const search = async (text: string): Promise<string[]> =>
    (await log.listConversations({ search: text, limit: 50 })).items.map((c) => c.conversationId).sort();
  const control = (id: string, event: ControlEvent) => log.control(controlRequest(id, event));
  const unindexed = async (): Promise<number> =>
    (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM scrollback_unindexed_messages()')).rows[0]!.n;
  const storedWords = async (id: string): Promise<string[]> =>
    (await admin.query<{ words: string }>('SELECT words::text FROM message_search WHERE conversation_id = $1 ORDER BY event_id', [id])).rows.map((r) => r.words);

  it('finds a message as soon as it is committed, then through the index once indexed', async () => {
    const id = conversationId('fresh');
    await log.append(appendRequest(id, [newMessage('Booking the Quokka tour for Tuesday')]));
    expect(await unindexed()).toBe(1);
    expect(await search('quokka tues')).toEqual([id]);
    expect(await search('okka')).toEqual([]);

    await indexer.catchUp();
    expect(await unindexed()).toBe(0);
    expect(await storedWords(id)).toEqual(["'booking' 'for' 'quokka' 'the' 'tour' 'tuesday'"]);
    expect(await search('quokka tues')).toEqual([id]);
    expect(await search('okka')).toEqual([]);
  });

  it('finds before indexing at least what it finds after, in any script', async () => {
    const texts = [
      'café au lait, Ünïcode façade',
      '東京 タワー に 行く',
      'नमस्ते दुनिया, हिन्दी में',
      'mail ana@example.com about v2.5.1 at 3.14pm',
      'snake_case and kebab-case and CamelCase',
      "l'été dernier — naïve coöperation",
    ];
    const ids = texts.map(() => conversationId('script'));
    for (const [i, text] of texts.entries()) await log.append(appendRequest(ids[i]!, [newMessage(text)]));
    const queries = ['café', 'ÜNÏ', 'faç', '東京', 'タワ', 'नमस्ते', 'दुनि', 'हिन्दी', 'example', 'com', '14pm', 'v2', 'case', 'kebab', 'camel', 'été', 'naï', 'coö', 'ana example'];
    const before = new Map<string, string[]>();
    for (const q of queries) before.set(q, await search(q));
    await indexer.catchUp();
    for (const q of queries) {
      const after = await search(q);
      expect(after.length, q).toBeGreaterThan(0);
      expect(before.get(q), q).toEqual(expect.arrayContaining(after));
    }
  });

  it('forgets redacted and retracted messages at once, indexed or not', async () => {
    const indexedId = conversationId('redact-indexed');
    const pendingId = conversationId('redact-pending');
    const [a, b] = [newMessage('zebrafish secret one'), newMessage('zebrafish secret two')];
    const [c, d] = [newMessage('zebrafish secret three'), newMessage('zebrafish secret four')];
    await log.append(appendRequest(indexedId, [a, b]));
    await indexer.catchUp();
    await log.append(appendRequest(pendingId, [c, d]));
    expect(await search('zebrafish')).toEqual([indexedId, pendingId].sort());

    await control(indexedId, { type: 'message.redacted', messageId: a.id, mode: 'purge', reason: 'test', by: null });
    await control(indexedId, { type: 'message.retracted', messageId: b.id });
    await control(pendingId, { type: 'message.redacted', messageId: c.id, mode: 'mask', reason: 'test', by: null });
    await control(pendingId, { type: 'message.retracted', messageId: d.id });
    expect(await search('zebrafish')).toEqual([]);
    expect(await storedWords(indexedId)).toEqual([]);
    await indexer.catchUp();
    expect(await search('zebrafish')).toEqual([]);
    expect(await storedWords(pendingId)).toEqual([]);
  });

  it('matches a revised message by its new words only, before and after indexing', async () => {
    const id = conversationId('revise');
    const message = newMessage('the walrus said hello');
    await log.append(appendRequest(id, [message]));
    await indexer.catchUp();
    await control(id, { type: 'message.revised', messageId: message.id, content: 'the narwhal said goodbye' });
    expect(await search('walrus')).toEqual([]);
    expect(await search('narwhal')).toEqual([id]);
    await indexer.catchUp();
    expect(await search('walrus')).toEqual([]);
    expect(await search('narwhal goodb')).toEqual([id]);
    expect(await storedWords(id)).toEqual(["'goodbye' 'narwhal' 'said' 'the'"]);
  });

  it('drops the words of a hard-deleted conversation, so its id can start afresh', async () => {
    const id = conversationId('hard');
    await log.append(appendRequest(id, [newMessage('platypus indexed')]));
    await indexer.catchUp();
    await log.append(appendRequest(id, [newMessage('platypus pending')]));
    await log.hardDelete(id);
    expect(await storedWords(id)).toEqual([]);
    await log.append(appendRequest(id, [newMessage('a new beginning')]));
    expect(await search('platypus')).toEqual([]);
    await indexer.catchUp();
    expect(await search('platypus')).toEqual([]);
    expect(await search('beginning')).toEqual([id]);
  });

  it('several indexers against writers, redactions and deletes: each visible message indexed once, with its words', async () => {
    const competing = [openIndexer(7), openIndexer(7), openIndexer(7)];
    const ids = Array.from({ length: 8 }, () => conversationId('race'));
    const redacted = new Set<string>();
    let stop = false;
    const churn = (async () => {
      while (!stop) {
        for (const i of competing) i.poke();
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const work = ids.map(async (id, n) => {
      for (let round = 0; round < 12; round++) {
        const messages = [newMessage(`ocelot ${n} round${round}`), newMessage(`marmot ${n} round${round}`)];
        await log.append(appendRequest(id, messages));
        if (round % 4 === 1) {
          await control(id, { type: 'message.redacted', messageId: messages[0]!.id, mode: 'purge', reason: 'race', by: null });
          redacted.add(messages[0]!.id);
        }
        if (n === 0 && round === 10) {
          await log.hardDelete(id);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    await Promise.all(work);
    stop = true;
    await churn;
    for (const i of competing) await i.catchUp();
    expect(await unindexed()).toBe(0);

    const { rows } = await admin.query<{ conversation_id: string; event_id: string; words: string; content: string | null }>(
      `SELECT e.conversation_id, e.event_id, s.words::text AS words, e.data ->> 'content' AS content
         FROM events e LEFT JOIN message_search s ON s.conversation_id = e.conversation_id AND s.event_id = e.event_id
        WHERE e.conversation_id = ANY($1) AND e.type = 'message.appended'`,
      [ids],
    );
    for (const row of rows) {
      if (redacted.has(row.event_id)) expect(row.words, row.event_id).toBeNull();
      else expect(row.words, row.event_id).toBe(`'${row.content!.split(' ').sort().join("' '")}'`);
    }
    const orphans = await admin.query(
      `SELECT 1 FROM message_search s WHERE s.conversation_id = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.conversation_id = s.conversation_id AND e.event_id = s.event_id)`,
      [ids],
    );
    expect(orphans.rowCount).toBe(0);
    // Racing for the lock is not a failure: no indexer reported one.
    expect(indexerErrors).toEqual([]);
  });
});
