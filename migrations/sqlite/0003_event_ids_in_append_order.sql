-- Scrollback SQLite schema, version 3: event-id uniqueness keyed (event_id, conversation_id)
-- instead of (conversation_id, event_id). The same constraint (a pair is unique whatever its
-- column order) and the same lookups (both columns are always given), but the ids the store
-- generates are UUIDv7, ordered by time, so new entries now land at the end of the index instead
-- of at every conversation's place in it: fewer pages touched and written per append.
--
-- The rebuild also drops the foreign key to conversations, which PostgreSQL's schema never had:
-- an append writes the conversation row before its first event in the same transaction, and a
-- hard delete removes the events before the row, so the check only cost a lookup per event.
--
-- SQLite cannot drop a table constraint, so the table is rebuilt (every row copied, positions
-- kept; the search index is keyed by position and needs no change). The sequence is carried over
-- so that positions issued before, even of rows deleted since, are never issued again.

CREATE TABLE events_v3 (
  position        INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT    NOT NULL,
  version         INTEGER NOT NULL,
  event_id        TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  recorded_at     TEXT    NOT NULL,
  content_hash    TEXT,
  redacted        TEXT    CHECK (redacted IS NULL OR redacted IN ('mask', 'purge')),
  revision        TEXT,
  retracted       INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
  UNIQUE (conversation_id, version),
  UNIQUE (event_id, conversation_id)
);

INSERT INTO events_v3 (position, conversation_id, version, event_id, type, data, metadata, recorded_at,
                       content_hash, redacted, revision, retracted)
  SELECT position, conversation_id, version, event_id, type, data, metadata, recorded_at,
         content_hash, redacted, revision, retracted
    FROM events ORDER BY position;

DELETE FROM sqlite_sequence WHERE name = 'events_v3';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_v3', seq FROM sqlite_sequence WHERE name = 'events';

DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
