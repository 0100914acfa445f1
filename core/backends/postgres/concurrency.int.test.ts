import pg from 'pg';
import { uuidv7 } from '../../events/uuid-v7.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StoredEvent } from '../../events/types.js';
import { startPostgresCluster, type PostgresCluster } from '../../testing/servers/postgres-cluster.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { EventLog } from '../log.js';
import { createPostgresLog } from './postgres-log.js';
import { appendRequest, conversationId, newMessage, readAllUntil } from './test-support.js';

async function drain(log: EventLog, checkpoint: string): Promise<{ events: StoredEvent[]; checkpoint: string }> {
  const events: StoredEvent[] = [];
  for (;;) {
    const batch = await log.readAll(checkpoint, 100);
    checkpoint = batch.checkpoint;
    if (batch.events.length === 0) return { events, checkpoint };
    events.push(...batch.events);
  }
}

describe('postgres log under concurrent writers', () => {
  let database: TestDatabase;
  const logs: EventLog[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'));
  });
  afterAll(async () => {
    await Promise.all(logs.map((log) => log.close()));
    await database.drop();
  });

  it("20 'any' appends from separate pools to one new conversation: versions 1..21, none lost, no conflict", async () => {
    for (let i = 0; i < 20; i++) logs.push(createPostgresLog({ url: database.url, poolSize: 1 }));
    await logs[0]!.migrate();
    const id = conversationId('race');
    const messages = logs.map((_, i) => newMessage(`writer ${i}`));
    const results = await Promise.all(logs.map((log, i) => log.append(appendRequest(id, [messages[i]!]))));

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const read = await logs[0]!.read(id, { fromVersion: 1, toVersion: 100, direction: 'forward', limit: 100 });
    expect(read?.version).toBe(21);
    expect(read?.events.map((e) => e.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(new Set(read?.events.slice(1).map((e) => e.eventId))).toEqual(new Set(messages.map((m) => m.id)));
    // Positions were taken under the conversation lock: they increase with versions.
    const positions = read?.events.map((e) => e.position) ?? [];
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const result of results) {
      const event = read?.events.find((e) => e.version === result.version);
      expect(event?.eventId).toBe(result.messages[0]?.id);
      expect(event?.position).toBe(result.position);
    }
    expect((await logs[0]!.getConversation(id))?.messageCount).toBe(20);
  });
});

// Holding a transaction open holds back the xmin of the whole cluster (and so every other
// subscriber's progress): these tests get a cluster of their own.
describe('postgres log commit order', () => {
  let cluster: PostgresCluster;
  let log: EventLog;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    log = createPostgresLog({ url: cluster.url, poolSize: 4 });
    await log.migrate();
  });
  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('never skips an event whose lower position commits after a higher one', async () => {
    const start = await log.endCheckpoint();
    const slow = new pg.Client({ connectionString: cluster.url });
    await slow.connect();
    try {
      const a = conversationId('a');
      const aMessage = newMessage('committed last, positioned first');
      await slow.query('BEGIN');
      const [held] = (
        await slow.query<{ o_position: string }>(
          `SELECT * FROM scrollback_append($1, 'any', NULL, $2::text, '{}'::jsonb, $3::text[], $4::text[], $5::text[], $6::jsonb[], ARRAY[NULL]::jsonb[], $7::text[], false)`,
          [a, uuidv7(), [aMessage.id], ['user'], [aMessage.content], ['{}'], [aMessage.contentHash]],
        )
      ).rows;

      const b = conversationId('b');
      const bResult = await log.append(appendRequest(b, [newMessage('committed first, positioned second')]));
      expect(bResult.position).toBeGreaterThan(Number(held?.o_position));

      // B is committed and visible, A is not: a consumer that trusted positions would move past A now.
      const peek = new pg.Client({ connectionString: cluster.url });
      await peek.connect();
      const maxVisible = (await peek.query<{ max: string }>('SELECT max(position)::text AS max FROM events')).rows[0]?.max;
      await peek.end();
      expect(Number(maxVisible)).toBe(bResult.position);

      // The commit-order consumer holds B back while A's transaction is open…
      const before = await drain(log, start);
      expect(before.events.filter((e) => e.conversationId === a || e.conversationId === b)).toEqual([]);

      await slow.query('COMMIT');
      // …and delivers both once A commits: A (lower transaction id) first.
      const ours = (events: StoredEvent[]) => events.filter((e) => e.conversationId === a || e.conversationId === b);
      const after = await readAllUntil(log, before.checkpoint, (events) => ours(events).length === 4);
      const delivered = ours(after.events);
      expect(delivered.map((e) => [e.conversationId, e.version])).toEqual([
        [a, 1],
        [a, 2],
        [b, 1],
        [b, 2],
      ]);
    } finally {
      await slow.end();
    }
  });

  it('a consumer running alongside concurrent writers receives every event exactly once, per conversation in version order', async () => {
    const start = await log.endCheckpoint();
    const writers = Array.from({ length: 4 }, () => createPostgresLog({ url: cluster.url, poolSize: 2 }));
    const ids = Array.from({ length: 6 }, () => conversationId('mix'));
    let writing = true;
    let wake: () => void = () => undefined;
    const stopWake = log.onWake(() => wake());
    const received: StoredEvent[] = [];
    const consumer = (async () => {
      let checkpoint = start;
      for (;;) {
        const done = !writing;
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const batch = await drain(log, checkpoint);
        received.push(...batch.events);
        checkpoint = batch.checkpoint;
        if (done) return checkpoint;
        if (batch.events.length === 0) await woken;
      }
    })();
    try {
      const acknowledged = await Promise.all(
        writers.map(async (writer, w) => {
          const positions: number[] = [];
          for (let i = 0; i < 25; i++) {
            const id = ids[(w + i) % ids.length]!;
            const result = await writer.append(appendRequest(id, [newMessage(`w${w} #${i}`), newMessage(`w${w} #${i}b`)]));
            positions.push(result.position);
          }
          return positions;
        }),
      );
      writing = false;
      wake();
      const consumed = await consumer;
      const all = acknowledged.flat();
      const rest = await readAllUntil(log, consumed, (events) => {
        const seen = new Set([...received, ...events].map((e) => e.position));
        return all.every((position) => seen.has(position));
      });
      received.push(...rest.events);
      const positions = received.map((e) => e.position);
      expect(new Set(positions).size).toBe(positions.length);
      for (const position of all) expect(positions).toContain(position);
      for (const id of ids) {
        const versions = received.filter((e) => e.conversationId === id).map((e) => e.version);
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      }
      expect(received).toHaveLength(4 * 25 * 2 + ids.length);
    } finally {
      writing = false;
      wake();
      stopWake();
      await Promise.all(writers.map((writer) => writer.close()));
    }
  });
});
