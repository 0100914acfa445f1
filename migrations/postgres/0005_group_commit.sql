-- Scrollback 0005: group commit, and the content search index built from words the caller
-- extracted. Forward-only.
--
-- Appends take each message's words (runs of letters, digits and marks, space-separated, as the
-- search box splits a query) and index them folded by lower(), as to_tsvector('simple') folds:
-- array_to_tsvector over given words costs a quarter of running the text parser, which was the
-- largest part of an append's server time. Searches match as before (a query's words are
-- prefixes of indexed words, folded alike); a word the parser would also have indexed whole
-- (an e-mail address, a host name, a decimal) is indexed by its parts, as a search splits it.
--
-- scrollback_append_batch appends to several conversations in one call and one transaction: an
-- instance under load coalesces concurrent appends (each to a different conversation) into one
-- round trip and one commit instead of one of each per append. Every entry gets its own outcome,
-- as scrollback_append would have given it alone, but as a row rather than an exception, so one
-- entry's conflict does not undo the others:
--   o_outcome 'appended' | 'already_appended' | 'failed'; for 'failed', o_sqlstate is the code
--   scrollback_append raises (SBD01 deleted, SBI01 idempotency conflict, SBV01 version conflict)
--   and o_detail its DETAIL.
-- Entries name distinct conversations (the caller keeps a second append to the same conversation
-- for the next batch). Messages are given flat, in entry order; p_entries says whose each is.
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
  p_hashes text[],
  p_words text[]
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
) LANGUAGE plpgsql AS $$
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
           m.id, m.role, m.content, m.meta, m.parts, m.hash, m.words
      FROM unnest(p_entries, p_ids, p_roles, p_contents, p_message_metadata, p_parts, p_hashes, p_words)
           WITH ORDINALITY AS m(entry, id, role, content, meta, parts, hash, words, ord)
  ), probe AS (
    -- The idempotency probe, one index lookup per message of an existing conversation: under the
    -- locks nobody else can store one of these ids meanwhile, so what it finds is final.
    SELECT m.entry, count(*)::integer AS n, count(x.event_id)::integer AS found,
           (array_agg(x.event_id ORDER BY m.flat)
              FILTER (WHERE x.event_id IS NOT NULL AND (x.type <> 'message.appended' OR x.content_hash IS DISTINCT FROM m.hash)))[1] AS mismatch,
           (array_agg(x.event_id ORDER BY m.flat) FILTER (WHERE x.event_id IS NOT NULL))[1] AS first_stored,
           (array_agg(m.content ORDER BY m.flat DESC))[1] AS last_content
      FROM msg m
      JOIN entry e ON e.entry = m.entry
      LEFT JOIN LATERAL (
        SELECT y.event_id, y.type, y.content_hash FROM events y
         WHERE e.existed AND y.conversation_id = e.cid AND y.event_id = m.id OFFSET 0
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
                        content_hash, content_tsv)
      SELECT p.position, d.cid, d.head + CASE WHEN d.existed THEN 0 ELSE 1 END + m.ord, m.id,
             'message.appended',
             CASE WHEN m.parts IS NULL
                  THEN jsonb_build_object('role', m.role, 'content', m.content, 'metadata', m.meta)
                  ELSE jsonb_build_object('role', m.role, 'content', m.content, 'parts', m.parts, 'metadata', m.meta) END,
             d.meta, v_now, m.hash,
             array_to_tsvector(string_to_array(lower(m.words), ' '))
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

DROP FUNCTION scrollback_append(text, text, text, text, jsonb, text[], text[], text[], jsonb[], jsonb[], text[], boolean);

-- As in 0003, with p_words (see the top of this file).
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
  p_words text[],
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
  v_inserted integer;
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

  -- A plain scan of the unnested arrays, no sort: nextval runs in message order.
  INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at,
                      content_hash, content_tsv)
    SELECT nextval('scrollback_event_position'), p_conversation_id, v_head + m.ord::integer, m.id,
           'message.appended',
           CASE WHEN m.parts IS NULL
                THEN jsonb_build_object('role', m.role, 'content', m.content, 'metadata', m.meta)
                ELSE jsonb_build_object('role', m.role, 'content', m.content, 'parts', m.parts, 'metadata', m.meta) END,
           p_metadata, v_now, m.hash,
           array_to_tsvector(string_to_array(lower(m.words), ' '))
      FROM unnest(p_ids, p_roles, p_contents, p_message_metadata, p_parts, p_hashes, p_words)
           WITH ORDINALITY AS m(id, role, content, meta, parts, hash, words, ord)
    ON CONFLICT ON CONSTRAINT events_conversation_event DO NOTHING;
  GET DIAGNOSTICS v_inserted = ROW_COUNT;
  IF v_inserted < v_count THEN
    -- An id is already stored: undo everything and let the caller retry with the probe on.
    RAISE EXCEPTION 'message id already stored' USING ERRCODE = 'SBR01';
  END IF;
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
