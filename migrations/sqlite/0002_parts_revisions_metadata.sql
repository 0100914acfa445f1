-- Scrollback SQLite schema, version 2: revisions, retractions and conversation metadata (same
-- shape as migrations/postgres/0003). The `message.appended` row keeps what was appended, for replay, and
-- carries the message's current state: `revision` (JSON of the current body once revised:
-- content, parts when it has any, metadata) and `retracted`. Tails, search and previews read them.
--
-- The search index invariant becomes: a message is in search_index exactly when its position is at
-- or below indexed_through, it is neither redacted nor retracted, and the indexed text is its
-- current content (the revision's, else the appended one's).

ALTER TABLE events ADD COLUMN revision TEXT;
ALTER TABLE events ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1));

-- The conversation's own metadata, merged by `conversation.metadata-set` events: a JSON object kept
-- canonical (keys sorted at every level), so that a listing filter compares values as text. Listing
-- by metadata reads it with json_each: a scan of the projection, fine for an embedded store.
ALTER TABLE conversations ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
