-- Scrollback 0002: message ids as callers have them. An event id is any id string (the AI SDK's
-- `msg-…`, OpenAI's, LangChain's), not only a UUID, so `events.event_id` becomes text and the write
-- functions take text ids. Forward-only; the column's indexes and constraints are rebuilt by the
-- type change. Stored UUIDs keep their canonical lower-case text form.
-- The type change rewrites `events` and its indexes under an exclusive lock: appends and reads wait
-- until it ends (about 40 s per million events measured on a busy two-core machine).

ALTER TABLE events ALTER COLUMN event_id TYPE text COLLATE "C";

DROP FUNCTION scrollback_append(text, text, text, uuid, jsonb, uuid[], text[], text[], jsonb[], text[], boolean);
DROP FUNCTION scrollback_control(text, uuid, text, jsonb, jsonb);

-- Appends messages in one round trip. Locks (or creates) the conversation row first, so that
-- positions within a conversation increase with versions and 'any' never conflicts. Checks, in
-- order: deleted → idempotency → expected version. Raises:
--   SBD01 conversation deleted; SBI01 idempotency conflict (DETAIL = message id);
--   SBV01 version conflict (DETAIL = actual head version).
-- p_expected: 'any' | 'no_stream' | 'exists' | a version number as text (0 is sent as 'no_stream').
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
                   'id', e.event_id, 'version', e.version, 'data', e.data,
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
           jsonb_build_object('role', m.role, 'content', m.content, 'metadata', m.meta),
           p_metadata, v_now, m.hash,
           strip(to_tsvector('simple'::regconfig, left(m.content, 131072)))
      FROM unnest(p_ids, p_roles, p_contents, p_message_metadata, p_hashes)
           WITH ORDINALITY AS m(id, role, content, meta, hash, ord)
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

-- One control event: rename, message.redacted, conversation.deleted. Raises SBN01 (unknown
-- conversation), SBD01 (rename of a deleted conversation), SBM01 (unknown message id).
-- A no-op (deleting twice, redacting with the same or a weaker mode) returns o_changed = false.
CREATE FUNCTION scrollback_control(
  p_conversation_id text,
  p_event_id text,
  p_type text,
  p_data jsonb,
  p_metadata jsonb
) RETURNS TABLE (o_version integer, o_position bigint, o_changed boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_conv conversations%ROWTYPE;
  v_mode text;
  v_current text;
  v_message_id text;
  v_now timestamptz;
  v_position bigint;
BEGIN
  -- See scrollback_append: version order and commit order agree within a conversation.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_conversation_id, 7277));
  SELECT * INTO v_conv FROM conversations WHERE id = p_conversation_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'conversation not found' USING ERRCODE = 'SBN01';
  END IF;

  IF p_type = 'conversation.renamed' THEN
    IF v_conv.status = 'deleted' THEN
      RAISE EXCEPTION 'conversation is deleted' USING ERRCODE = 'SBD01';
    END IF;
  ELSIF p_type = 'conversation.deleted' THEN
    IF v_conv.status = 'deleted' THEN
      RETURN QUERY SELECT v_conv.version, v_conv.last_position, false;
      RETURN;
    END IF;
  ELSIF p_type = 'message.redacted' THEN
    v_mode := p_data ->> 'mode';
    v_message_id := p_data ->> 'messageId';
    SELECT e.redacted INTO v_current
      FROM events e
     WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id AND e.type = 'message.appended'
       FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'unknown message id' USING ERRCODE = 'SBM01';
    END IF;
    IF v_current = v_mode OR v_current = 'purge' THEN
      RETURN QUERY SELECT v_conv.version, v_conv.last_position, false;
      RETURN;
    END IF;
    UPDATE events e
       SET data = e.data || CASE WHEN v_mode = 'purge'
                                 THEN jsonb_build_object('content', '', 'redacted', v_mode, 'metadata', '{}'::jsonb)
                                 ELSE jsonb_build_object('content', '', 'redacted', v_mode) END,
           redacted = v_mode,
           content_tsv = NULL
     WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
  ELSE
    RAISE EXCEPTION 'unknown control event type %', p_type;
  END IF;

  v_now := date_trunc('milliseconds', clock_timestamp());
  v_position := nextval('scrollback_event_position');
  INSERT INTO events (position, conversation_id, version, event_id, type, data, metadata, recorded_at)
    VALUES (v_position, p_conversation_id, v_conv.version + 1, p_event_id, p_type, p_data, p_metadata, v_now);

  UPDATE conversations c
     SET version = v_conv.version + 1,
         last_position = v_position,
         title = CASE WHEN p_type = 'conversation.renamed' THEN p_data ->> 'title' ELSE c.title END,
         status = CASE WHEN p_type = 'conversation.deleted' THEN 'deleted' ELSE c.status END,
         preview = CASE WHEN p_type = 'message.redacted' THEN coalesce((
             SELECT left(e.data ->> 'content', 200)
               FROM events e
              WHERE e.conversation_id = p_conversation_id AND e.type = 'message.appended'
                AND e.redacted IS NULL
              ORDER BY e.version DESC
              LIMIT 1), '') ELSE c.preview END
   WHERE c.id = p_conversation_id;

  RETURN QUERY SELECT v_conv.version + 1, v_position, true;
END;
$$;
