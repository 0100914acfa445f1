import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { EventLog, LogAppendRequest, LogAppendResult, NewMessage } from '../log.js';
import { createPostgresLog } from './postgres-log.js';
import { appendRequest, controlRequest, conversationId, newMessage, readAllUntil } from './test-support.js';

/** What a caller can observe of an append: its result, or its error's class and fields. */
function observed(settled: PromiseSettledResult<LogAppendResult>): unknown {
  if (settled.status === 'rejected') {
    const error = settled.reason as Error & { code?: string; actual?: number; expected?: unknown; messageId?: string };
    return { error: error.constructor.name, code: error.code, actual: error.actual, expected: error.expected, messageId: error.messageId };
  }
  const r = settled.value;
  return {
    outcome: r.outcome,
    version: r.version,
    previousVersion: r.previousVersion,
    created: r.created,
    // Ids the scenario chose compare; generated ones differ from run to run.
    messages: r.messages.map((m) => ({ id: m.id.endsWith('-stored') ? m.id : 'generated', version: m.version, content: m.content, role: m.role })),
  };
}

/** Appends `requests` while another append is in flight, so they go out as one batch. */
async function appendWhileBusy(log: EventLog, requests: LogAppendRequest[]): Promise<PromiseSettledResult<LogAppendResult>[]> {
  // The first append goes out alone at once; the others, made while it is in flight, share a batch.
  const lead = log.append(appendRequest(conversationId('lead'), [newMessage('lead')]));
  const results = await Promise.allSettled(requests.map((r) => log.append(r)));
  await lead;
  return results;
}

describe('postgres log group commit', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const logs: EventLog[] = [];
  const open = (poolSize = 8): EventLog => {
    const log = createPostgresLog({ url: database.url, poolSize });
    logs.push(log);
    return log;
  };

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await open().migrate();
  });
  afterAll(async () => {
    await admin.end();
    await Promise.all(logs.map((log) => log.close()));
    await database.drop();
  });

  /**
   * Conversations in every state an append can meet, and one append for each: a new one, the
   * right and a wrong expected version, a retry, a reused id with other content, a deleted
   * conversation, several messages at once. Ids are prefixed so the same scenario can be built
   * twice, once for each path.
   */
  async function scenario(log: EventLog, prefix: string): Promise<LogAppendRequest[]> {
    const id = (name: string) => `${prefix}-${name}`;
    const stored = newMessage('stored once', { id: `${prefix}-stored` });
    const seed = async (name: string, messages: NewMessage[]) => log.append(appendRequest(id(name), messages));
    for (const name of ['right', 'wrong', 'retry', 'reuse', 'nostream', 'many', 'partial']) {
      await seed(name, name === 'retry' || name === 'reuse' || name === 'partial' ? [stored, newMessage('x')] : [newMessage('a'), newMessage('b')]);
    }
    await seed('deleted', [newMessage('a')]);
    await log.control(controlRequest(id('deleted'), { type: 'conversation.deleted' }));
    return [
      appendRequest(id('new'), [newMessage('hello')]),
      appendRequest(id('right'), [newMessage('next')], { expectedVersion: 3 }),
      appendRequest(id('wrong'), [newMessage('next')], { expectedVersion: 1 }),
      appendRequest(id('absent'), [newMessage('next')], { expectedVersion: 'exists' }),
      appendRequest(id('retry'), [stored]),
      appendRequest(id('reuse'), [{ ...stored, content: 'other content', contentHash: newMessage('other content').contentHash }]),
      appendRequest(id('deleted'), [newMessage('too late')]),
      appendRequest(id('nostream'), [newMessage('first?')], { expectedVersion: 'no_stream' }),
      appendRequest(id('many'), [newMessage('one'), newMessage('two'), newMessage('three')]),
      appendRequest(id('partial'), [stored, newMessage('new one')]),
    ];
  }

  it('answers every entry of a batch as it would have been answered alone, errors included', async () => {
    const log = open();
    const alone = await scenario(log, conversationId('alone'));
    const aloneResults: PromiseSettledResult<LogAppendResult>[] = [];
    for (const request of alone) aloneResults.push(...(await Promise.allSettled([log.append(request)])));

    const batched = await scenario(log, conversationId('batched'));
    const batchedResults = await appendWhileBusy(log, batched);

    const normalise = (value: unknown, prefix: string): unknown => JSON.parse(JSON.stringify(value).replaceAll(prefix, 'P'));
    const prefixOf = (requests: LogAppendRequest[]) => requests[0]!.conversationId.slice(0, -'-new'.length);
    expect(batchedResults.map((r) => normalise(observed(r), prefixOf(batched)))).toEqual(
      aloneResults.map((r) => normalise(observed(r), prefixOf(alone))),
    );
    expect(batchedResults.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'rejected']);

    // The log reflects exactly the appended entries.
    const many = await log.read(batched[8]!.conversationId, { fromVersion: 1, toVersion: 100, direction: 'forward', limit: 100 });
    expect(many?.events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await log.getConversation(batched[8]!.conversationId))?.messageCount).toBe(5);
    expect((await log.getConversation(batched[0]!.conversationId))?.preview).toBe('hello');
    expect(await log.getConversation(batched[3]!.conversationId)).toBeNull();
  });

  it('sends a batch as one transaction, and a batch holding a retry entry by entry', async () => {
    const log = open();
    const txsOf = async (requests: LogAppendRequest[]): Promise<number> => {
      const { rows } = await admin.query<{ txs: number }>(
        `SELECT count(DISTINCT tx)::int AS txs FROM events WHERE conversation_id = ANY($1) AND event_id = ANY($2)`,
        [requests.map((r) => r.conversationId), requests.flatMap((r) => r.messages.map((m) => m.id))],
      );
      return rows[0]?.txs ?? 0;
    };

    const fresh = Array.from({ length: 6 }, (_, i) => appendRequest(conversationId('fresh'), [newMessage(`m${i}`), newMessage(`n${i}`)]));
    expect((await appendWhileBusy(log, fresh)).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await txsOf(fresh)).toBe(1);

    // A retry of a stored message meets the unique constraint, which undoes the batch: every entry
    // is then sent alone and still answered as it would have been.
    const stored = newMessage('stored once');
    const retried = conversationId('retried');
    await log.append(appendRequest(retried, [stored]));
    const mixed = [
      ...Array.from({ length: 4 }, (_, i) => appendRequest(conversationId('mixed'), [newMessage(`x${i}`)])),
      appendRequest(retried, [stored]),
    ];
    const results = await appendWhileBusy(log, mixed);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'))).toEqual([
      'appended',
      'appended',
      'appended',
      'appended',
      'already_appended',
    ]);
    expect(await txsOf(mixed.slice(0, 4))).toBe(4);
  });

  it('two instances appending to the same conversations at once: no deadlock, nothing lost, versions in commit order', async () => {
    const [a, b] = [open(4), open(4)];
    const ids = Array.from({ length: 12 }, () => conversationId('shared'));
    const checkpoint = await a.endCheckpoint();
    const perInstance = 150;
    const writes = [a, b].flatMap((log, instance) =>
      Array.from({ length: perInstance }, (_, i) => {
        // Each instance walks the conversations in a different order, so batches overlap.
        const target = instance === 0 ? ids[i % ids.length]! : ids[(ids.length - 1 - (i % ids.length) + ids.length) % ids.length]!;
        return log.append(appendRequest(target, [newMessage(`${instance}:${i}`)]));
      }),
    );
    const results = await Promise.all(writes);
    expect(results.every((r) => r.outcome === 'appended')).toBe(true);

    let total = 0;
    for (const id of ids) {
      const read = await a.read(id, { fromVersion: 1, toVersion: 10_000, direction: 'forward', limit: 10_000 });
      const versions = read?.events.map((e) => e.version) ?? [];
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      const positions = read?.events.map((e) => e.position) ?? [];
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      total += versions.length - 1;
    }
    expect(total).toBe(2 * perInstance);
    // Each instance's own appends to a conversation landed in the order it made them.
    for (const instance of [0, 1]) {
      const mine = results.filter((_, i) => Math.floor(i / perInstance) === instance);
      for (const id of ids) {
        const versions = mine.filter((r) => r.messages[0]?.conversationId === id).map((r) => r.version);
        expect([...versions].sort((x, y) => x - y)).toEqual(versions);
      }
    }
    // A subscriber sees every conversation's events in version order.
    const { events } = await readAllUntil(a, checkpoint, (seen) => seen.filter((e) => ids.includes(e.conversationId)).length >= total + ids.length);
    for (const id of ids) {
      const versions = events.filter((e) => e.conversationId === id).map((e) => e.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
    }
  });
});
