/**
 * The SQL of the PostgreSQL log's reads, kept apart so tests can EXPLAIN exactly what runs.
 * Each is a single statement: one snapshot.
 */
import type { ListOptions } from '../../events/types.js';
import { decodeListCursor } from './cursors.js';
import { CONVERSATION_COLUMNS, CONVERSATION_EVENT_COLUMNS, CURRENT_MESSAGE_DATA, EVENT_COLUMNS, isoTime } from './rows.js';
import { searchWords, toPrefixTsquery } from './search.js';

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export const APPEND_SQL =
  'SELECT * FROM scrollback_append($1, $2, $3, $4::text, $5::jsonb, $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[], $11::text[], $12::boolean)';

/** Several appends, one per conversation, in one transaction: a row per entry (see group-commit.ts). */
export const APPEND_BATCH_SQL =
  'SELECT * FROM scrollback_append_batch($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[], $12::text[])';

export const CONTROL_SQL = 'SELECT * FROM scrollback_control($1, $2::text, $3, $4::jsonb, $5::jsonb, $6::text, $7::integer)';

export const HARD_DELETE_SQL = 'SELECT scrollback_hard_delete($1) AS position';

/**
 * $1 id, $2..$3 version range (low, high), $4 limit. The lateral's own ORDER BY gives the order
 * (one outer row: the nested loop keeps it); the caller checks it rather than the server sorting
 * the rows a second time.
 */
export function readSql(direction: 'forward' | 'backward'): string {
  const order = direction === 'forward' ? 'ASC' : 'DESC';
  return `SELECT c.version AS head, x.*
           FROM conversations c
           LEFT JOIN LATERAL (
             SELECT ${CONVERSATION_EVENT_COLUMNS} FROM events e
              WHERE e.conversation_id = c.id AND e.version BETWEEN $2 AND $3
              ORDER BY e.version ${order} LIMIT $4
           ) x ON true
          WHERE c.id = $1`;
}

/**
 * $1 id, $2 n. Walks events_conversation_version backwards, skipping what is not a visible message
 * (control events, retracted and purged messages: few beside the messages a tail returns). A
 * revised message is its appended event with the current body (`revision`) laid over it. Rows
 * come newest first (the index order); the caller reverses them.
 */
export const TAIL_SQL = `SELECT c.status, c.version AS head, c.last_position, m.event_id, m.version, m.data, m.recorded_at
           FROM conversations c
           LEFT JOIN LATERAL (
             SELECT e.event_id, e.version, ${CURRENT_MESSAGE_DATA} AS data, ${isoTime('e.recorded_at')} AS recorded_at FROM events e
              WHERE e.conversation_id = c.id AND e.type = 'message.appended'
                AND e.redacted IS DISTINCT FROM 'purge' AND NOT e.retracted
              ORDER BY e.version DESC LIMIT $2
           ) m ON true
          WHERE c.id = $1`;

export const GET_CONVERSATION_SQL = `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1`;

/** $1 tx, $2 position of the checkpoint, $3 limit. */
export const READ_ALL_SQL = `SELECT e.tx::text AS tx, ${EVENT_COLUMNS} FROM events e
          WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
            AND (e.tx, e.position) > ($1::xid8, $2::bigint)
          ORDER BY e.tx, e.position
          LIMIT $3`;

/** Like READ_ALL_SQL, skipping events of transactions visible in the snapshot $4 (committed before it). */
export const READ_ALL_AFTER_SNAPSHOT_SQL = `SELECT e.tx::text AS tx, ${EVENT_COLUMNS} FROM events e
          WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
            AND (e.tx, e.position) > ($1::xid8, $2::bigint)
            AND NOT pg_visible_in_snapshot(e.tx, $4::pg_snapshot)
          ORDER BY e.tx, e.position
          LIMIT $3`;

/** The last deliverable event now, and the snapshot that says what had committed by then. */
export const END_CHECKPOINT_SQL = `SELECT s.snapshot, x.tx, x.position
           FROM (SELECT pg_current_snapshot()::text AS snapshot) s
           LEFT JOIN LATERAL (
             SELECT e.tx::text AS tx, e.position::text AS position FROM events e
              WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY e.tx DESC, e.position DESC
              LIMIT 1
           ) x ON true`;

/**
 * One page of the conversation list, fetching `limit + 1` rows to know whether another page
 * follows. null when the search text holds no word (nothing can match).
 *
 * A search merges ordered, limited branches: title matches; conversations with a matching
 * indexed message; matches among the messages not indexed yet. The indexed branch never trusts
 * the planner's guess at how common a prefix is (wrong by 1000x either way at 1M events): it walks
 * the most recent SEARCH_WINDOW conversations first, probing each one's words, which finds the
 * page at once when the words are common; only when that window is full and holds fewer matches
 * than the page does it collect the older candidates from the GIN index, by then known to be
 * rare. The answer is the same either way: a match outside the window is older than all of it.
 */
export function listSql(options: ListOptions & { limit: number }): SqlQuery | null {
  const values: unknown[] = [];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (options.userId !== undefined) where.push(`c.user_id = ${param(options.userId)}`);
  if (options.includeDeleted !== true) where.push(`c.status = 'active'`);
  if (options.metadata !== undefined && Object.keys(options.metadata).length > 0) {
    // Containment finds candidates through the partial GIN index (whose predicate is repeated);
    // the per-key comparison makes it equality, as containment alone would match {tags: ['a', 'b']}
    // for a filter {tags: ['a']}.
    const filter = param(JSON.stringify(options.metadata));
    where.push(
      `c.metadata <> '{}'::jsonb AND c.metadata @> ${filter}::jsonb ` +
        `AND NOT EXISTS (SELECT 1 FROM jsonb_each(${filter}::jsonb) f WHERE c.metadata -> f.key IS DISTINCT FROM f.value)`,
    );
  }
  if (options.cursor !== undefined) {
    const cursor = decodeListCursor(options.cursor);
    where.push(`(c.last_message_at, c.id) < (${param(cursor.lastMessageAt)}::timestamptz, ${param(cursor.id)}::text)`);
  }
  const order = 'ORDER BY last_message_at DESC, id DESC';
  const limit = param(options.limit + 1);
  const page = (conditions: string[]): string =>
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${limit}`;
  if (options.search === undefined) return { text: page(where), values };

  const words = searchWords(options.search);
  if (words.length === 0) return null;
  const q = `to_tsquery('simple', ${param(toPrefixTsquery(words))})`;
  const byTitle = page([...where, `c.title IS NOT NULL AND c.title_tsv @@ ${q}`]);
  const windowed = `WITH recent AS MATERIALIZED (
      SELECT c.id, c.last_message_at FROM conversations c
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${SEARCH_WINDOW}
    ), found AS MATERIALIZED (
      -- One probe per conversation, in recency order (the LIMIT keeps the planner from turning it
      -- into a join against every GIN match).
      SELECT r.id FROM recent r
       CROSS JOIN LATERAL (SELECT 1 FROM message_search s WHERE s.conversation_id = r.id AND s.words @@ ${q} LIMIT 1) hit
       ORDER BY r.last_message_at DESC, r.id DESC LIMIT ${limit}
    ), rare AS MATERIALIZED (
      -- Read only when the window fell short (see below), so the words are known to be rare.
      SELECT DISTINCT s.conversation_id FROM message_search s WHERE s.words @@ ${q}
    )`;
  const byMessage = page([`c.id IN (SELECT id FROM found)`]);
  const byOlderMessage = page([
    `(SELECT count(*) FROM found) < ${limit} AND (SELECT count(*) FROM recent) = ${SEARCH_WINDOW}`,
    ...where,
    `(c.last_message_at, c.id) < (SELECT r.last_message_at, r.id FROM recent r ORDER BY r.last_message_at, r.id LIMIT 1)`,
    `c.id IN (SELECT conversation_id FROM rare)`,
  ]);
  const byRecentMessage = page([...where, `c.id IN (${recentMatchesSql(param(words))})`]);
  return {
    text: `${windowed}
      SELECT * FROM ((${byTitle}) UNION (${byMessage}) UNION (${byOlderMessage}) UNION (${byRecentMessage})) merged ${order} LIMIT ${limit}`,
    values,
  };
}

/** Recent conversations a search probes one by one before it turns to the GIN index. */
const SEARCH_WINDOW = 2000;

/**
 * The conversations whose messages match `words` ($ref: a text[] of search words) among those the
 * search indexer has not reached yet (normally milliseconds of appends). Each word must start a
 * word of the message's current text: the text is folded by lower() as the index folds its
 * words, and a word starts after anything the regex engine does not count as a letter or a
 * digit, which is every character that splits words for the index and possibly more, so this
 * matches at least what the index will.
 */
function recentMatchesSql(ref: string): string {
  return `SELECT u.o_conversation_id FROM scrollback_unindexed_messages() u
           WHERE NOT EXISTS (
             SELECT 1 FROM unnest(${ref}::text[]) AS q(word)
              WHERE lower(u.o_content) !~ ('(^|[^[:alnum:]])' || regexp_replace(lower(q.word), '([^[:alnum:]])', '\\\\\\1', 'g'))
           )`;
}

/**
 * The indexer's two halves (see scrollback_search_pending and scrollback_search_apply), run in
 * one transaction. $1 the most events to take. Texts come as rows and words go as JSON: both
 * parse much faster than text arrays.
 */
export const SEARCH_PENDING_SQL = `SELECT o_locked, o_taken, o_tx::text AS o_tx, o_position::text AS o_position,
       o_conversation_id, o_event_id, o_content
  FROM scrollback_search_pending($1)`;

/** $1 tx, $2 position of the last event taken; $3 JSON [conversation id, event id, words | null] triples. */
export const SEARCH_APPLY_SQL = 'SELECT scrollback_search_apply($1::xid8, $2::bigint, $3::json)';

/** Whether the indexer's progress has reached the event at ($1 tx, $2 position). */
export const SEARCH_PROGRESS_REACHED_SQL = 'SELECT (tx, position) >= ($1::xid8, $2::bigint) AS done FROM message_search_progress';

/** The last committed event in (tx, position) order, whether or not it is deliverable yet. */
export const LAST_EVENT_SQL = 'SELECT tx::text AS tx, position::text AS position FROM events ORDER BY tx DESC, position DESC LIMIT 1';

/** NOTIFY channel that wakes instances to apply new rows of `cache_invalidations`. */
export const CACHE_INVALIDATION_CHANNEL = 'scrollback_cache';

/**
 * APPEND_SQL that also records a cache invalidation for the new head in the same transaction
 * (and wakes the instances that apply them): used while this instance's Redis is known to be
 * unreachable, so a crash right after the commit still leaves the invalidation behind.
 */
export const APPEND_RECORDING_INVALIDATION_SQL = `WITH a AS (${APPEND_SQL}),
  i AS (INSERT INTO cache_invalidations (conversation_id, position)
        SELECT $1, a.o_position FROM a WHERE a.o_outcome = 'appended'
        RETURNING pg_notify('${CACHE_INVALIDATION_CHANNEL}', ''))
  SELECT * FROM a`;

export const RECORD_INVALIDATION_SQL = `WITH i AS (INSERT INTO cache_invalidations (conversation_id, position) VALUES ($1, $2::bigint) RETURNING id)
  SELECT pg_notify('${CACHE_INVALIDATION_CHANNEL}', '') FROM i`;

/** $1: rows recorded after this time (null: the retention window). Oldest first, $2 rows at most. */
export const RECENT_INVALIDATIONS_SQL = `SELECT now() AS at, i.id::text AS id, i.conversation_id, i.position::text AS position, i.recorded_at
           FROM (SELECT 1) one
           LEFT JOIN LATERAL (
             SELECT * FROM cache_invalidations
              WHERE recorded_at > COALESCE($1::timestamptz, now() - interval '1 hour')
              ORDER BY recorded_at, id LIMIT $2
           ) i ON true`;

export const PRUNE_INVALIDATIONS_SQL = `DELETE FROM cache_invalidations WHERE recorded_at < now() - interval '1 hour'`;
