/** Builders shared by this backend's integration tests. */
import type { StoredEvent } from '../../events/types.js';
import { uuidv7 } from '../../events/uuid-v7.js';
import type { EventLog } from '../log.js';

export { appendRequest, controlRequest, newMessage } from '../../testing/log-requests.js';

export function conversationId(prefix = 'c'): string {
  return `${prefix}-${uuidv7()}`;
}

/**
 * Reads the global log from `checkpoint` until `done(events)` holds. Events become readable only
 * when every older transaction in the cluster has ended (autovacuum's included), so an empty batch
 * is retried after a short pause rather than taken as the end.
 */
export async function readAllUntil(
  log: EventLog,
  checkpoint: string,
  done: (events: StoredEvent[]) => boolean,
  timeoutMs = 20_000,
): Promise<{ events: StoredEvent[]; checkpoint: string }> {
  const events: StoredEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await log.readAll(checkpoint, 200);
    events.push(...batch.events);
    checkpoint = batch.checkpoint;
    if (done(events)) return { events, checkpoint };
    if (batch.events.length > 0) continue;
    if (Date.now() > deadline) throw new Error(`readAll did not deliver the expected events within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Bulk rows shaped like the log's own (bypassing the append function, for speed), to check plans
 * and timings at volume. Conversation ids are `${prefix}-${n}`, owners `${prefix}-user-${n % 1000}`;
 * message text holds `w${(n * version) % 5000}` and the word `common`.
 */
export async function seedVolume(
  run: (sql: string, values: unknown[]) => Promise<unknown>,
  prefix: string,
  conversations: number,
  eventsPerConversation: number,
): Promise<void> {
  await run(
    `INSERT INTO conversations (id, user_id, title, created_at, last_message_at, version, message_count, last_position, preview)
     SELECT $1 || '-' || c, $1 || '-user-' || (c % 1000), CASE WHEN c % 10 = 0 THEN 'seeded title ' || c END,
            date_trunc('milliseconds', now()) - c * interval '1 second', date_trunc('milliseconds', now()) - c * interval '1 second',
            $3, $3 - 1, 0, 'preview'
       FROM generate_series(1, $2::int) c`,
    [prefix, conversations, eventsPerConversation],
  );
  await run(
    `INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash)
     SELECT nextval('scrollback_event_position'), $1 || '-' || c, v, gen_random_uuid(),
            CASE WHEN v = 1 THEN 'conversation.started' ELSE 'message.appended' END,
            CASE WHEN v = 1 THEN '{"userId": null}'::jsonb
                 ELSE jsonb_build_object('role', 'user', 'content', t.txt, 'metadata', '{}'::jsonb) END,
            '{}'::jsonb, date_trunc('milliseconds', now()),
            CASE WHEN v > 1 THEN md5(t.txt) END
       FROM generate_series(1, $2::int) c
      CROSS JOIN generate_series(1, $3::int) v
      CROSS JOIN LATERAL (SELECT 'w' || ((c * v) % 5000) || ' common seeded text ' || md5(c::text || ':' || v::text) AS txt) t`,
    [prefix, conversations, eventsPerConversation],
  );
  // The seeded words, as the indexer would store them (the seeded text is ASCII words and
  // spaces), and the indexer's progress past them, so searches find them through the index.
  await run(
    `INSERT INTO message_search (conversation_id, event_id, words)
     SELECT conversation_id, event_id, array_to_tsvector(string_to_array(lower(data ->> 'content'), ' '))
       FROM events WHERE conversation_id LIKE $1 || '-%' AND type = 'message.appended'`,
    [prefix],
  );
  await run(
    `UPDATE message_search_progress SET (tx, position) = (
       SELECT e.tx, e.position FROM events e WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.tx DESC, e.position DESC LIMIT 1)`,
    [],
  );
  await run(
    `UPDATE conversations c SET last_position = e.position
       FROM (SELECT conversation_id, max(position) AS position FROM events WHERE conversation_id LIKE $1 || '-%' GROUP BY 1) e
      WHERE e.conversation_id = c.id`,
    [prefix],
  );
  await run('ANALYZE conversations', []);
  await run('ANALYZE events', []);
  await run('ANALYZE message_search', []);
}
