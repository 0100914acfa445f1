-- The fallback outbox: appends taken while PostgreSQL was unreachable, waiting to be replayed.
-- Its own file, never a log: no versions, no projections, just a queue, its dead letters and the
-- lease that lets one process at a time drain it.

-- One row per queued append (a batch of messages to one conversation). AUTOINCREMENT: a sequence
-- number is never reused, so queue order is seq order and a stale drainer can never delete a newer
-- entry by number.
CREATE TABLE outbox_entries (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  -- JSON: { messages: [{ id, role, content, metadata, contentHash }], userId, metadata, startedEventId }
  payload         TEXT NOT NULL,
  queued_at       TEXT NOT NULL,
  -- Failures other than an outage; past a bound the entry becomes a dead letter.
  attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_entries_by_conversation ON outbox_entries (conversation_id, seq);

-- Entries the log refused for good (conversation deleted, idempotency conflict, invalid).
CREATE TABLE outbox_dead_letters (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  payload         TEXT NOT NULL,
  queued_at       TEXT NOT NULL,
  failed_at       TEXT NOT NULL,
  reason          TEXT NOT NULL,
  error_code      TEXT
);

-- At most one row: who drains, until when (ms since the epoch). Taken inside BEGIN IMMEDIATE.
CREATE TABLE outbox_lease (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
