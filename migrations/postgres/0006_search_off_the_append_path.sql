-- Scrollback 0006: the content search index off the append path, fewer indexes on events, and
-- appends without a conflict check per row. Forward-only.
--
-- Search. Message words move from events.content_tsv (a GIN index every append paid into, about
-- half an append's server time) to message_search, which an indexer fills in commit order after
-- the fact: scrollback_search_pending hands out what was committed since message_search_progress,
-- the caller splits the messages into words (as search queries are split), and
-- scrollback_search_apply stores them and moves the progress on, in the same transaction. A
-- search also scans the events after the progress directly (normally milliseconds of appends),
-- (scrollback_unindexed_messages), so it never misses a committed message. Redaction, retraction and revision delete a message's
-- words at once; the indexer adds a revision's words when it reaches the revision.
--
-- Events. Every index on events costs each appended event an insertion:
--   * The primary key becomes (tx, position), the order subscriptions and the indexer read in,
--     replacing both the key on position and events_commit_order. Positions stay unique: the
--     sequence hands them out, and nothing looks an event up by position alone.
--   * events_message_tail goes: a tail reads events_conversation_version backwards and skips
--     what is not a visible message (control events, retracted or purged messages: few beside
--     the messages a tail returns).
--
-- Appends insert without ON CONFLICT, whose speculative check probed events_conversation_event
-- once more per message: an id already stored now fails the insert with unique_violation on that
-- constraint, and the caller retries with the idempotency probe on (as it did for SBR01, which
-- is gone). scrollback_append_batch probes only the entries whose expected version fails; an
-- entry retrying a stored id fails the batch the same way, and the caller sends its entries one
-- by one.

CREATE UNIQUE INDEX events_commit_order_key ON events (tx, position);
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_commit_order_key;
DROP INDEX events_commit_order;
DROP INDEX events_message_tail;

-- A message's words: one row per message that has any, keyed like events.
CREATE TABLE message_search (
  conversation_id text COLLATE "C" NOT NULL,
  event_id        text COLLATE "C" NOT NULL,
  words           tsvector NOT NULL,
  PRIMARY KEY (conversation_id, event_id)
);

-- The last event (in commit order) the indexer has handled. One row.
CREATE TABLE message_search_progress (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  tx       xid8 NOT NULL,
  position bigint NOT NULL
);

-- The events table is locked (ALTER TABLE above) until this migration commits, so what follows
-- sees every committed event and no append runs meanwhile. Events of transactions older than the
-- snapshot's xmin are indexed here; any later ones lie after the progress and go to the indexer.
INSERT INTO message_search (conversation_id, event_id, words)
  SELECT conversation_id, event_id, content_tsv FROM events
   WHERE type = 'message.appended' AND content_tsv IS NOT NULL AND length(content_tsv) > 0;
INSERT INTO message_search_progress (tx, position)
  SELECT coalesce(x.tx, '0'::xid8), coalesce(x.position, 0)
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
      SELECT e.tx, e.position FROM events e
       WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.tx DESC, e.position DESC LIMIT 1
    ) x ON true;
-- Built after the copy: faster than inserting into it, and it starts with no pending list that
-- every search would have to scan. Analysed at once, so the first searches are planned on the
-- table's real shape rather than defaults.
CREATE INDEX message_search_words ON message_search USING gin (words);
ANALYZE message_search;

DROP INDEX events_content_tsv;
ALTER TABLE events DROP COLUMN content_tsv;

-- The indexer's first half. Only the caller that gets the indexer lock takes anything: the others
-- get one row with o_locked false. The holder takes the events committed after the progress, up
-- to p_limit of them (o_taken; o_tx, o_position: the last one, where the progress moves to), and
-- gets a row per message they concern, with its current text (NULL: redacted, retracted or gone,
-- so its words must go), or one row with no message when none of them concerns one. The
-- conversations are locked FOR KEY SHARE before their messages are read: a redaction, a revision
-- or a hard delete running meanwhile finishes first, and one starting later waits for this
-- transaction, then deletes what it stored.
CREATE FUNCTION scrollback_search_pending(p_limit integer) RETURNS TABLE (
  o_locked boolean,
  o_taken integer,
  o_tx xid8,
  o_position bigint,
  o_conversation_id text,
  o_event_id text,
  o_content text
) LANGUAGE plpgsql AS $$
DECLARE
  v_tx xid8;
  v_position bigint;
  v_last_tx xid8;
  v_last_position bigint;
  v_taken integer;
  v_conversation_ids text[];
  v_event_ids text[];
BEGIN
  IF NOT pg_try_advisory_xact_lock(7277, 1) THEN
    RETURN QUERY SELECT false, 0, NULL::xid8, NULL::bigint, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;
  SELECT p.tx, p.position INTO v_tx, v_position FROM message_search_progress p;

  -- Below the snapshot's xmin, in (tx, position) order: nothing still running can commit behind
  -- the progress (subscriptions read the log the same way).
  SELECT count(*)::integer,
         (array_agg(s.tx ORDER BY s.tx DESC, s.position DESC))[1],
         (array_agg(s.position ORDER BY s.tx DESC, s.position DESC))[1],
         array_agg(s.conversation_id) FILTER (WHERE s.target IS NOT NULL),
         array_agg(s.target) FILTER (WHERE s.target IS NOT NULL)
    INTO v_taken, v_last_tx, v_last_position, v_conversation_ids, v_event_ids
    FROM (
      SELECT e.tx, e.position, e.conversation_id,
             CASE WHEN e.type = 'message.appended' THEN e.event_id
                  WHEN e.type IN ('message.revised', 'message.redacted', 'message.retracted') THEN e.data ->> 'messageId'
             END AS target
        FROM events e
       WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot()) AND (e.tx, e.position) > (v_tx, v_position)
       ORDER BY e.tx, e.position
       LIMIT p_limit
    ) s;
  IF v_last_tx IS NULL THEN
    RETURN QUERY SELECT true, 0, NULL::xid8, NULL::bigint, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;
  IF v_conversation_ids IS NULL THEN
    RETURN QUERY SELECT true, v_taken, v_last_tx, v_last_position, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;

  PERFORM 1 FROM conversations c
   WHERE c.id IN (SELECT DISTINCT u FROM unnest(v_conversation_ids) AS u)
   ORDER BY c.id
     FOR KEY SHARE;

  -- A new statement, so a new snapshot: it sees what the writers we waited for committed.
  RETURN QUERY
    SELECT true, v_taken, v_last_tx, v_last_position, t.cid, t.eid,
           CASE WHEN m.redacted IS NULL AND NOT m.retracted THEN coalesce(m.revision ->> 'content', m.data ->> 'content') END
      FROM (SELECT DISTINCT u.cid, u.eid FROM unnest(v_conversation_ids, v_event_ids) AS u(cid, eid)) t
      LEFT JOIN events m ON m.conversation_id = t.cid AND m.event_id = t.eid AND m.type = 'message.appended';
END;
$$;

-- The indexer's second half, in the transaction of the first: stores each message's words and
-- moves the progress. p_words is a JSON array of [conversation id, event id, words] triples, the
-- words space-separated and folded here by lower() (null or empty: the message has none now).
CREATE FUNCTION scrollback_search_apply(p_tx xid8, p_position bigint, p_words json) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(7277, 1) THEN
    RAISE EXCEPTION 'scrollback_search_apply without the indexer lock';
  END IF;
  DELETE FROM message_search s
   USING json_array_elements(p_words) AS u(entry)
   WHERE coalesce(u.entry ->> 2, '') = '' AND s.conversation_id = u.entry ->> 0 AND s.event_id = u.entry ->> 1;
  INSERT INTO message_search (conversation_id, event_id, words)
    SELECT u.entry ->> 0, u.entry ->> 1, array_to_tsvector(string_to_array(lower(u.entry ->> 2), ' '))
      FROM json_array_elements(p_words) AS u(entry)
     WHERE coalesce(u.entry ->> 2, '') <> ''
    ON CONFLICT (conversation_id, event_id) DO UPDATE SET words = EXCLUDED.words;
  UPDATE message_search_progress SET tx = p_tx, position = p_position;
END;
$$;

-- The messages a search must scan directly, with their current text: those of the events after
-- the indexer's progress (appended or revised since). Few, as the indexer is normally
-- milliseconds behind; ROWS says so, and the progress goes into the query as constants, so the
-- plan follows the primary key from there at any size of the log.
CREATE FUNCTION scrollback_unindexed_messages() RETURNS TABLE (o_conversation_id text, o_content text)
LANGUAGE plpgsql STABLE ROWS 10 AS $$
DECLARE
  v_tx xid8;
  v_position bigint;
BEGIN
  SELECT p.tx, p.position INTO v_tx, v_position FROM message_search_progress p;
  RETURN QUERY EXECUTE format($sql$
    SELECT m.conversation_id::text, coalesce(m.revision ->> 'content', m.data ->> 'content')
      FROM events t
      JOIN events m ON m.conversation_id = t.conversation_id AND m.type = 'message.appended'
                   AND m.event_id = CASE WHEN t.type = 'message.appended' THEN t.event_id ELSE t.data ->> 'messageId' END
     WHERE (t.tx, t.position) > (%L::xid8, %s::bigint)
       AND t.type IN ('message.appended', 'message.revised')
       AND m.redacted IS NULL AND NOT m.retracted$sql$, v_tx, v_position);
END;
$$;

-- As in 0001, also deleting the conversation's words (after the events: see there).
CREATE OR REPLACE FUNCTION scrollback_hard_delete(p_conversation_id text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_position bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_conversation_id, 7277));
  DELETE FROM conversations WHERE id = p_conversation_id RETURNING last_position INTO v_position;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  DELETE FROM events WHERE conversation_id = p_conversation_id;
  DELETE FROM message_search WHERE conversation_id = p_conversation_id;
  RETURN v_position;
END;
$$;

-- As in 0003, deleting a message's words where it cleared content_tsv or set it from a revision.
CREATE OR REPLACE FUNCTION scrollback_control(
  p_conversation_id text,
  p_event_id text,
  p_type text,
  p_data jsonb,
  p_metadata jsonb,
  p_hash text,
  p_max_metadata_bytes integer
) RETURNS TABLE (o_version integer, o_position bigint, o_changed boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_conv conversations%ROWTYPE;
  v_mode text;
  v_current text;
  v_retracted boolean;
  v_message_metadata jsonb;
  v_message_id text;
  v_now timestamptz;
  v_position bigint;
  v_stored events%ROWTYPE;
  v_conversation_metadata jsonb;
BEGIN
  -- See scrollback_append: version order and commit order agree within a conversation.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_conversation_id, 7277));
  SELECT * INTO v_conv FROM conversations WHERE id = p_conversation_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'conversation not found' USING ERRCODE = 'SBN01';
  END IF;
  IF v_conv.status = 'deleted'
     AND p_type IN ('conversation.renamed', 'message.revised', 'message.retracted', 'conversation.metadata-set') THEN
    RAISE EXCEPTION 'conversation is deleted' USING ERRCODE = 'SBD01';
  END IF;

  IF p_hash IS NOT NULL THEN
    SELECT * INTO v_stored FROM events e WHERE e.conversation_id = p_conversation_id AND e.event_id = p_event_id;
    IF FOUND THEN
      IF v_stored.type = p_type AND v_stored.content_hash = p_hash THEN
        RETURN QUERY SELECT v_stored.version, v_stored.position, false;
        RETURN;
      END IF;
      RAISE EXCEPTION 'event id already stored with another payload'
        USING ERRCODE = 'SBI01', DETAIL = p_event_id;
    END IF;
  END IF;

  IF p_type = 'conversation.renamed' THEN
    NULL;
  ELSIF p_type = 'conversation.metadata-set' THEN
    v_conversation_metadata := (v_conv.metadata || (p_data -> 'set'))
                               - ARRAY(SELECT jsonb_array_elements_text(p_data -> 'unset'));
    IF scrollback_json_size(v_conversation_metadata) > p_max_metadata_bytes THEN
      RAISE EXCEPTION 'conversation metadata over the limit'
        USING ERRCODE = 'SBL01', DETAIL = p_max_metadata_bytes::text;
    END IF;
  ELSIF p_type = 'conversation.deleted' THEN
    IF v_conv.status = 'deleted' THEN
      RETURN QUERY SELECT v_conv.version, v_conv.last_position, false;
      RETURN;
    END IF;
  ELSIF p_type IN ('message.redacted', 'message.revised', 'message.retracted') THEN
    v_message_id := p_data ->> 'messageId';
    SELECT e.redacted, e.retracted, coalesce(e.revision -> 'metadata', e.data -> 'metadata')
      INTO v_current, v_retracted, v_message_metadata
      FROM events e
     WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id AND e.type = 'message.appended'
       FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'unknown message id' USING ERRCODE = 'SBM01';
    END IF;

    IF p_type = 'message.redacted' THEN
      v_mode := p_data ->> 'mode';
      IF v_current = v_mode OR v_current = 'purge' THEN
        RETURN QUERY SELECT v_conv.version, v_conv.last_position, false;
        RETURN;
      END IF;
      UPDATE events e
         SET data = (e.data - 'parts') || CASE WHEN v_mode = 'purge'
                                   THEN jsonb_build_object('content', '', 'redacted', v_mode, 'metadata', '{}'::jsonb)
                                   ELSE jsonb_build_object('content', '', 'redacted', v_mode) END,
             revision = CASE WHEN e.revision IS NULL THEN NULL
                             ELSE jsonb_build_object('content', '', 'metadata',
                                    CASE WHEN v_mode = 'purge' THEN '{}'::jsonb ELSE e.revision -> 'metadata' END) END,
             redacted = v_mode
       WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
      DELETE FROM message_search s WHERE s.conversation_id = p_conversation_id AND s.event_id = v_message_id;
      -- Every revision of the message held its text too. Their hashes stay, so a retried revision
      -- is still recognised.
      UPDATE events e
         SET data = jsonb_build_object('messageId', v_message_id, 'content', '')
                    || CASE WHEN v_mode <> 'purge' AND e.data ? 'metadata'
                            THEN jsonb_build_object('metadata', e.data -> 'metadata') ELSE '{}'::jsonb END,
             redacted = v_mode
       WHERE e.conversation_id = p_conversation_id AND e.type = 'message.revised'
         AND e.data ->> 'messageId' = v_message_id;
    ELSIF p_type = 'message.revised' THEN
      IF v_current IS NOT NULL THEN
        RAISE EXCEPTION 'message cannot be revised' USING ERRCODE = 'SBM02', DETAIL = 'the message is redacted';
      END IF;
      IF v_retracted THEN
        RAISE EXCEPTION 'message cannot be revised' USING ERRCODE = 'SBM02', DETAIL = 'the message is retracted';
      END IF;
      UPDATE events e
         SET revision = jsonb_build_object('content', p_data -> 'content',
                                           'metadata', coalesce(p_data -> 'metadata', v_message_metadata))
                        || CASE WHEN p_data ? 'parts' THEN jsonb_build_object('parts', p_data -> 'parts') ELSE '{}'::jsonb END
       WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
      -- The old words must stop matching now; the indexer adds the new ones from this event.
      DELETE FROM message_search s WHERE s.conversation_id = p_conversation_id AND s.event_id = v_message_id;
    ELSE
      IF v_retracted OR v_current = 'purge' THEN
        RETURN QUERY SELECT v_conv.version, v_conv.last_position, false;
        RETURN;
      END IF;
      UPDATE events e
         SET retracted = true
       WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
      DELETE FROM message_search s WHERE s.conversation_id = p_conversation_id AND s.event_id = v_message_id;
    END IF;
  ELSE
    RAISE EXCEPTION 'unknown control event type %', p_type;
  END IF;

  v_now := date_trunc('milliseconds', clock_timestamp());
  v_position := nextval('scrollback_event_position');
  INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at, content_hash)
    VALUES (v_position, p_conversation_id, v_conv.version + 1, p_event_id, p_type, p_data, p_metadata, v_now, p_hash);

  UPDATE conversations c
     SET version = v_conv.version + 1,
         last_position = v_position,
         title = CASE WHEN p_type = 'conversation.renamed' THEN p_data ->> 'title' ELSE c.title END,
         status = CASE WHEN p_type = 'conversation.deleted' THEN 'deleted' ELSE c.status END,
         metadata = CASE WHEN p_type = 'conversation.metadata-set' THEN v_conversation_metadata ELSE c.metadata END,
         preview = CASE WHEN p_type IN ('message.redacted', 'message.revised', 'message.retracted') THEN coalesce((
             SELECT left(coalesce(e.revision ->> 'content', e.data ->> 'content'), 200)
               FROM events e
              WHERE e.conversation_id = p_conversation_id AND e.type = 'message.appended'
                AND e.redacted IS NULL AND NOT e.retracted
              ORDER BY e.version DESC
              LIMIT 1), '') ELSE c.preview END
   WHERE c.id = p_conversation_id;

  RETURN QUERY SELECT v_conv.version + 1, v_position, true;
END;
$$;

DROP FUNCTION scrollback_append_batch(text[], text[], text[], text[], jsonb[], integer[], text[], text[], text[], jsonb[], jsonb[], text[], text[]);

-- As in 0005, without p_words, probing only the entries whose expected version fails, and with
-- its plan kept (see below).
CREATE FUNCTION scrollback_append_batch(
  p_conversation_ids text[],
  p_expected text[],
  p_user_ids text[],
  p_started_event_ids text[],
  p_metadata jsonb[],
  p_entries integer[],
  p_ids text[],
  p_roles text[],
  p_contents text[],
  p_message_metadata jsonb[],
  p_parts jsonb[],
  p_hashes text[]
) RETURNS TABLE (
  o_entry integer,
  o_outcome text,
  o_sqlstate text,
  o_detail text,
  o_created boolean,
  o_previous_version integer,
  o_version integer,
  o_position bigint,
  o_recorded_at timestamptz,
  o_stored jsonb
-- One plan, kept: planned afresh for each call's arrays (what the planner does with a plpgsql
-- statement whose generic plan looks dearer) this statement took more time to plan than to run.
) LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_now timestamptz;
BEGIN
  -- The same per-conversation lock scrollback_append takes, before any xid (see there), here
  -- taken in key order: two batches sharing conversations then wait for each other instead of
  -- deadlocking. Every other writer holds one such lock at a time.
  PERFORM pg_advisory_xact_lock(s.k)
     FROM (SELECT DISTINCT hashtextextended(c, 7277) AS k FROM unnest(p_conversation_ids) AS c ORDER BY 1) s;
  v_now := date_trunc('milliseconds', clock_timestamp());

  -- One statement, so one plan and one snapshot, taken after the locks: every head read here is
  -- current. The modifying CTEs touch disjoint rows and none reads another's output.
  RETURN QUERY
  WITH entry AS (
    SELECT e.ord::integer AS entry, e.cid, e.expected,
           CASE WHEN e.expected IN ('any', 'no_stream', 'exists') THEN NULL ELSE e.expected::integer END AS expected_version,
           e.user_id, e.started_id, e.meta,
           c.id IS NOT NULL AS existed, c.status, coalesce(c.version, 0) AS head
      FROM unnest(p_conversation_ids, p_expected, p_user_ids, p_started_event_ids, p_metadata)
           WITH ORDINALITY AS e(cid, expected, user_id, started_id, meta, ord)
      LEFT JOIN conversations c ON c.id = e.cid
  ), msg AS (
    SELECT m.entry, m.ord AS flat, row_number() OVER (PARTITION BY m.entry ORDER BY m.ord)::integer AS ord,
           m.id, m.role, m.content, m.meta, m.parts, m.hash
      FROM unnest(p_entries, p_ids, p_roles, p_contents, p_message_metadata, p_parts, p_hashes)
           WITH ORDINALITY AS m(entry, id, role, content, meta, parts, hash, ord)
  ), probe AS (
    -- The idempotency probe, one index lookup per message, only where the expectation fails (a
    -- retry with a stale expectation must still answer already_appended). Under the locks nobody
    -- else can store one of these ids meanwhile, so what it finds is final. Any other retry meets
    -- events_conversation_event on insert, which undoes the batch: the caller then sends each
    -- entry alone, and scrollback_append answers it.
    SELECT m.entry, count(*)::integer AS n, count(x.event_id)::integer AS found,
           (array_agg(x.event_id ORDER BY m.flat)
              FILTER (WHERE x.event_id IS NOT NULL AND (x.type <> 'message.appended' OR x.content_hash IS DISTINCT FROM m.hash)))[1] AS mismatch,
           (array_agg(x.event_id ORDER BY m.flat) FILTER (WHERE x.event_id IS NOT NULL))[1] AS first_stored,
           (array_agg(m.content ORDER BY m.flat DESC))[1] AS last_content
      FROM msg m
      JOIN entry e ON e.entry = m.entry
      LEFT JOIN LATERAL (
        SELECT y.event_id, y.type, y.content_hash FROM events y
         WHERE e.existed AND (e.expected = 'no_stream' OR e.expected_version <> e.head)
           AND y.conversation_id = e.cid AND y.event_id = m.id OFFSET 0
      ) x ON true
     GROUP BY m.entry
  ), decided AS (
    -- scrollback_append's checks, in its order: deleted, idempotency, expected version.
    SELECT e.*, p.n, p.mismatch, p.first_stored, p.last_content,
           CASE
             WHEN NOT e.existed AND (e.expected = 'exists' OR e.expected_version IS NOT NULL) THEN 'SBV01'
             WHEN e.existed AND e.status = 'deleted' THEN 'SBD01'
             WHEN p.found > 0 AND (p.mismatch IS NOT NULL OR p.found < p.n) THEN 'SBI01'
             WHEN p.found > 0 THEN 'stored'
             WHEN e.existed AND (e.expected = 'no_stream' OR e.expected_version <> e.head) THEN 'SBV01'
             ELSE 'append'
           END AS decision
      FROM entry e JOIN probe p ON p.entry = e.entry
  ), new_rows AS (
    -- What the appended entries write, in (entry, version) order: positions are handed out in
    -- that order below, so within a conversation they increase with versions.
    SELECT d.entry, 0 AS ord FROM decided d WHERE d.decision = 'append' AND NOT d.existed
    UNION ALL
    SELECT m.entry, m.ord FROM msg m JOIN decided d ON d.entry = m.entry AND d.decision = 'append'
  ), numbered AS (
    SELECT r.entry, r.ord, row_number() OVER (ORDER BY r.entry, r.ord) AS rn FROM new_rows r
  ), allocated AS (
    -- nextval in a plain scan of the series runs in series order: ascending positions.
    SELECT array_agg(nextval('scrollback_event_position')) AS positions
      FROM generate_series(1, (SELECT count(*) FROM new_rows))
  ), placed AS (
    SELECT n.entry, n.ord, a.positions[n.rn] AS position FROM numbered n CROSS JOIN allocated a
  ), heads AS (
    SELECT d.entry, d.cid, d.existed, d.head, d.n, d.last_content, d.user_id,
           d.head + CASE WHEN d.existed THEN 0 ELSE 1 END + d.n AS version,
           (SELECT max(p.position) FROM placed p WHERE p.entry = d.entry) AS last_position
      FROM decided d WHERE d.decision = 'append'
  ), started AS (
    INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at)
      SELECT p.position, d.cid, 1, d.started_id, 'conversation.started', jsonb_build_object('userId', d.user_id), d.meta, v_now
        FROM placed p JOIN decided d ON d.entry = p.entry
       WHERE p.ord = 0
  ), appended AS (
    INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at,
                        content_hash)
      SELECT p.position, d.cid, d.head + CASE WHEN d.existed THEN 0 ELSE 1 END + m.ord, m.id,
             'message.appended',
             CASE WHEN m.parts IS NULL
                  THEN jsonb_build_object('role', m.role, 'content', m.content, 'metadata', m.meta)
                  ELSE jsonb_build_object('role', m.role, 'content', m.content, 'parts', m.parts, 'metadata', m.meta) END,
             d.meta, v_now, m.hash
        FROM placed p
        JOIN decided d ON d.entry = p.entry
        JOIN msg m ON m.entry = p.entry AND m.ord = p.ord
       WHERE p.ord > 0
  ), created AS (
    INSERT INTO conversations (id, user_id, created_at, last_message_at, version, message_count, last_position, preview)
      SELECT h.cid, h.user_id, v_now, v_now, h.version, h.n, h.last_position, left(h.last_content, 200)
        FROM heads h WHERE NOT h.existed
  ), updated AS (
    UPDATE conversations c
       SET version = h.version,
           message_count = c.message_count + h.n,
           last_message_at = v_now,
           last_position = h.last_position,
           preview = left(h.last_content, 200)
      FROM heads h
     WHERE h.existed AND c.id = h.cid
  )
  SELECT d.entry,
         CASE d.decision WHEN 'append' THEN 'appended' WHEN 'stored' THEN 'already_appended' ELSE 'failed' END,
         CASE WHEN d.decision LIKE 'SB%' THEN d.decision END,
         CASE d.decision
           WHEN 'SBV01' THEN d.head::text
           WHEN 'SBI01' THEN coalesce(d.mismatch, d.first_stored)
         END,
         d.decision = 'append' AND NOT d.existed,
         CASE d.decision WHEN 'append' THEN d.head ELSE s.version END,
         CASE d.decision WHEN 'append' THEN h.version ELSE s.version END,
         CASE d.decision WHEN 'append' THEN h.last_position ELSE s.position END,
         CASE d.decision WHEN 'append' THEN v_now ELSE s.recorded_at END,
         s.stored
    FROM decided d
    LEFT JOIN heads h ON h.entry = d.entry
    -- A retry of a stored append answers with what was stored, as scrollback_append does.
    LEFT JOIN LATERAL (
      SELECT max(e.version) AS version, (array_agg(e.position ORDER BY e.version DESC))[1] AS position,
             max(e.recorded_at) AS recorded_at,
             jsonb_agg(jsonb_build_object(
               'id', e.event_id, 'version', e.version,
               'data', CASE WHEN e.revision IS NULL THEN e.data ELSE (e.data - 'parts') || e.revision END,
               'recordedAtMs', (extract(epoch FROM e.recorded_at) * 1000)::bigint
             ) ORDER BY e.version) AS stored
        FROM events e
       WHERE d.decision = 'stored' AND e.conversation_id = d.cid
         AND e.event_id = ANY (SELECT m.id FROM msg m WHERE m.entry = d.entry)
    ) s ON true
   ORDER BY d.entry;
END;
$$;

DROP FUNCTION scrollback_append(text, text, text, text, jsonb, text[], text[], text[], jsonb[], jsonb[], text[], text[], boolean);

-- As in 0005, without p_words and without ON CONFLICT.
CREATE FUNCTION scrollback_append(
  p_conversation_id text,
  p_expected text,
  p_user_id text,
  p_started_event_id text,
  p_metadata jsonb,
  p_ids text[],
  p_roles text[],
  p_contents text[],
  p_message_metadata jsonb[],
  p_parts jsonb[],
  p_hashes text[],
  p_check boolean
) RETURNS TABLE (
  o_outcome text,
  o_created boolean,
  o_previous_version integer,
  o_version integer,
  o_position bigint,
  o_recorded_at timestamptz,
  o_stored jsonb
) LANGUAGE plpgsql AS $$
DECLARE
  v_conv conversations%ROWTYPE;
  v_created boolean := false;
  v_expected integer;
  v_count integer := cardinality(p_ids);
  v_now timestamptz;
  v_head integer;
  v_found integer;
  v_mismatch text;
  v_first_stored text;
  v_last_position bigint;
BEGIN
  -- Serialise writers of one conversation BEFORE this transaction takes an xid: an advisory lock
  -- assigns none, so the next writer's xid is assigned only after we commit. That makes
  -- (tx, position) order, which subscribe delivers in, follow version order within a conversation
  -- (a row lock taken first would assign the xid before waiting for the lock).
  PERFORM pg_advisory_xact_lock(hashtextextended(p_conversation_id, 7277));
  IF p_expected NOT IN ('any', 'no_stream', 'exists') THEN
    v_expected := p_expected::integer;
  END IF;

  LOOP
    -- No row lock: the advisory lock above already serialises this conversation's writers.
    SELECT * INTO v_conv FROM conversations WHERE id = p_conversation_id;
    EXIT WHEN FOUND;
    IF p_expected = 'exists' OR v_expected IS NOT NULL THEN
      RAISE EXCEPTION 'version conflict' USING ERRCODE = 'SBV01', DETAIL = '0';
    END IF;
    v_now := date_trunc('milliseconds', clock_timestamp());
    INSERT INTO conversations (id, user_id, created_at, last_message_at)
      VALUES (p_conversation_id, p_user_id, v_now, v_now)
      ON CONFLICT (id) DO NOTHING
      RETURNING * INTO v_conv;
    IF FOUND THEN
      v_created := true;
      EXIT;
    END IF;
    -- Someone else created it between our SELECT and INSERT: lock theirs and check again.
  END LOOP;

  IF NOT v_created THEN
    IF v_conv.status = 'deleted' THEN
      RAISE EXCEPTION 'conversation is deleted' USING ERRCODE = 'SBD01';
    END IF;

    -- The idempotency probe costs a third of an append, and only retries need it: run it when the
    -- caller asks (after an insert met a stored id) or when the expected version fails (a retry
    -- with a stale expectation must still answer already_appended).
    IF p_check OR p_expected = 'no_stream' OR (v_expected IS NOT NULL AND v_expected <> v_conv.version) THEN
      SELECT count(*)::integer,
             (array_agg(e.event_id ORDER BY h.ord)
                FILTER (WHERE e.type <> 'message.appended' OR e.content_hash IS DISTINCT FROM h.hash))[1],
             (array_agg(e.event_id ORDER BY h.ord))[1]
        INTO v_found, v_mismatch, v_first_stored
        FROM unnest(p_ids, p_hashes) WITH ORDINALITY AS h(id, hash, ord)
        -- One index probe per id on both columns, whatever the statistics say: a plain join could
        -- scan the whole conversation when the statistics are stale (OFFSET 0 keeps it a probe).
        CROSS JOIN LATERAL (
          SELECT x.event_id, x.type, x.content_hash FROM events x
           WHERE x.conversation_id = p_conversation_id AND x.event_id = h.id OFFSET 0
        ) e;
      IF v_found > 0 THEN
        IF v_mismatch IS NOT NULL THEN
          RAISE EXCEPTION 'message id already stored with other content'
            USING ERRCODE = 'SBI01', DETAIL = v_mismatch;
        END IF;
        IF v_found < v_count THEN
          RAISE EXCEPTION 'some message ids already stored, others new'
            USING ERRCODE = 'SBI01', DETAIL = v_first_stored;
        END IF;
        RETURN QUERY
          SELECT 'already_appended', false, max(e.version), max(e.version),
                 (array_agg(e.position ORDER BY e.version DESC))[1], max(e.recorded_at),
                 jsonb_agg(jsonb_build_object(
                   'id', e.event_id, 'version', e.version,
                   'data', CASE WHEN e.revision IS NULL THEN e.data ELSE (e.data - 'parts') || e.revision END,
                   'recordedAtMs', (extract(epoch FROM e.recorded_at) * 1000)::bigint
                 ) ORDER BY e.version)
            FROM events e
           WHERE e.conversation_id = p_conversation_id AND e.event_id = ANY (p_ids);
        RETURN;
      END IF;
    END IF;

    IF p_expected = 'no_stream' OR (v_expected IS NOT NULL AND v_expected <> v_conv.version) THEN
      RAISE EXCEPTION 'version conflict' USING ERRCODE = 'SBV01', DETAIL = v_conv.version::text;
    END IF;
    v_now := date_trunc('milliseconds', clock_timestamp());
  END IF;

  v_head := v_conv.version;
  IF v_created THEN
    INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at)
      VALUES (nextval('scrollback_event_position'), p_conversation_id, 1, p_started_event_id,
              'conversation.started', jsonb_build_object('userId', p_user_id), p_metadata, v_now);
    v_head := 1;
  END IF;

  -- A plain scan of the unnested arrays, no sort: nextval runs in message order. An id already
  -- stored fails the insert on events_conversation_event (unique_violation), which undoes
  -- everything: the caller retries with p_check, and the probe answers.
  INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at,
                      content_hash)
    SELECT nextval('scrollback_event_position'), p_conversation_id, v_head + m.ord::integer, m.id,
           'message.appended',
           CASE WHEN m.parts IS NULL
                THEN jsonb_build_object('role', m.role, 'content', m.content, 'metadata', m.meta)
                ELSE jsonb_build_object('role', m.role, 'content', m.content, 'parts', m.parts, 'metadata', m.meta) END,
           p_metadata, v_now, m.hash
      FROM unnest(p_ids, p_roles, p_contents, p_message_metadata, p_parts, p_hashes)
           WITH ORDINALITY AS m(id, role, content, meta, parts, hash, ord);
  v_last_position := currval('scrollback_event_position');

  UPDATE conversations
     SET version = v_head + v_count,
         message_count = message_count + v_count,
         last_message_at = v_now,
         last_position = v_last_position,
         preview = left(p_contents[v_count], 200)
   WHERE id = p_conversation_id;

  RETURN QUERY SELECT 'appended', v_created, v_conv.version, v_head + v_count, v_last_position, v_now,
                      NULL::jsonb;
END;
$$;
