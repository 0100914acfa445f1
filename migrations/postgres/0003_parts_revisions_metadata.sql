-- Scrollback 0003: message parts, revisions, retractions and conversation metadata. Forward-only.
--
-- A message may carry `parts` (structured JSON, stored as given) besides its text; `data.parts` is
-- absent when it has none. A revision (`message.revised`) replaces a message's text, parts and
-- (when given) metadata; a retraction (`message.retracted`) hides it. The `message.appended` event
-- keeps what was appended, for replay; its row also carries the current state as a projection:
-- `revision` (the current body once revised) and `retracted`, which tails, search and previews read.
-- A redaction removes the text, parts included, from the appended event, its projection and every
-- revision of the message.

ALTER TABLE events ADD COLUMN revision jsonb;
ALTER TABLE events ADD COLUMN retracted boolean NOT NULL DEFAULT false;

-- A conversation's own metadata, merged by `conversation.metadata-set` events. Listing filters
-- with `@>` containment, served by a GIN index; partial, because every append updates the row (a
-- non-HOT update inserts into every index covering it) and most conversations have no metadata.
ALTER TABLE conversations ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX conversations_metadata ON conversations USING gin (metadata jsonb_path_ops)
  WHERE metadata <> '{}'::jsonb;

-- The size of a value serialised compactly (as JSON.stringify writes it): jsonb's text form adds a
-- space after every ':' and ',' between members, which is subtracted. Numbers count as jsonb
-- prints them.
CREATE FUNCTION scrollback_json_size(p_value jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT octet_length(p_value::text) - coalesce((
    SELECT sum(CASE jsonb_typeof(x)
                 WHEN 'object' THEN greatest(2 * (SELECT count(*) FROM jsonb_object_keys(x)) - 1, 0)
                 WHEN 'array' THEN greatest(jsonb_array_length(x) - 1, 0)
                 ELSE 0 END)
      FROM jsonb_path_query(p_value, 'strict $.**') AS t(x)), 0)
$$;

-- Tails skip retracted messages as they skip purged ones: the partial index follows the predicate.
DROP INDEX events_message_tail;
CREATE INDEX events_message_tail ON events (conversation_id, version DESC)
  WHERE type = 'message.appended' AND redacted IS DISTINCT FROM 'purge' AND NOT retracted;

DROP FUNCTION scrollback_append(text, text, text, text, jsonb, text[], text[], text[], jsonb[], text[], boolean);
DROP FUNCTION scrollback_control(text, text, text, jsonb, jsonb);

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
           strip(to_tsvector('simple'::regconfig, left(m.content, 131072)))
      FROM unnest(p_ids, p_roles, p_contents, p_message_metadata, p_parts, p_hashes)
           WITH ORDINALITY AS m(id, role, content, meta, parts, hash, ord)
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

-- One control event: rename, redaction, revision, retraction, metadata, soft delete. Raises SBN01 (unknown
-- conversation), SBD01 (a write to a deleted conversation other than redaction and deletion),
-- SBM01 (unknown message id), SBM02 (a message that cannot be revised; DETAIL = why), SBI01 (the
-- event id is stored with another payload; DETAIL = event id), SBL01 (merged conversation metadata
-- over p_max_metadata_bytes; DETAIL = the limit).
-- p_hash is set when the caller chose the event id: an event stored with that id and hash is this
-- write's earlier success, returned as is (o_changed = false).
-- A no-op (deleting twice, redacting with the same or a weaker mode, retracting twice) returns
-- o_changed = false.
CREATE FUNCTION scrollback_control(
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
             redacted = v_mode,
             content_tsv = NULL
       WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
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
                        || CASE WHEN p_data ? 'parts' THEN jsonb_build_object('parts', p_data -> 'parts') ELSE '{}'::jsonb END,
             content_tsv = strip(to_tsvector('simple'::regconfig, left(p_data ->> 'content', 131072)))
       WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
    ELSE
      IF v_retracted OR v_current = 'purge' THEN
        RETURN QUERY SELECT v_conv.version, v_conv.last_position, false;
        RETURN;
      END IF;
      UPDATE events e
         SET retracted = true, content_tsv = NULL
       WHERE e.conversation_id = p_conversation_id AND e.event_id = v_message_id;
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
