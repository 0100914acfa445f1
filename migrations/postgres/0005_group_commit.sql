-- Scrollback 0005: group commit. Forward-only.
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
           m.id, m.role, m.content, m.meta, m.parts, m.hash
      FROM unnest(p_entries, p_ids, p_roles, p_contents, p_message_metadata, p_parts, p_hashes)
           WITH ORDINALITY AS m(entry, id, role, content, meta, parts, hash, ord)
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
             strip(to_tsvector('simple'::regconfig, left(m.content, 131072)))
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
