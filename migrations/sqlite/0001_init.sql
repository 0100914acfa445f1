-- Scrollback SQLite schema, version 1. Same shape as migrations/postgres/0001: a projection row per
-- conversation (the version holder) and one row per event. Times are ISO 8601 UTC strings with
-- milliseconds, so text order is time order and cursors compare exactly.

CREATE TABLE conversations (
  id              TEXT    PRIMARY KEY,
  user_id         TEXT,
  title           TEXT,
  -- Position of the rename event whose title is current: the title's row id in search_index.
  title_position  INTEGER,
  status          TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  version         INTEGER NOT NULL CHECK (version >= 1),
  message_count   INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT    NOT NULL,
  -- Every conversation is created by an append that carries at least one message.
  last_message_at TEXT    NOT NULL,
  last_position   INTEGER NOT NULL,
  preview         TEXT    NOT NULL DEFAULT ''
);

-- Listing: newest first, ties broken by id, so cursor paging is stable.
CREATE INDEX conversations_by_recent ON conversations (last_message_at DESC, id DESC);
CREATE INDEX conversations_by_user ON conversations (user_id, last_message_at DESC, id DESC);

CREATE TABLE events (
  -- AUTOINCREMENT: a plain rowid is reused after the newest rows are deleted, and a subscriber's
  -- checkpoint must never see a position twice.
  position        INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT    NOT NULL REFERENCES conversations (id),
  version         INTEGER NOT NULL,
  event_id        TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  recorded_at     TEXT    NOT NULL,
  -- Hash of role, content and metadata at append time: idempotent retries compare against it even
  -- after a redaction has blanked the content.
  content_hash    TEXT,
  -- NULL, 'mask' or 'purge'.
  redacted        TEXT    CHECK (redacted IS NULL OR redacted IN ('mask', 'purge')),
  -- Also the index for reads by version and for message tails (scanned backwards from the head;
  -- non-message events are rare, so no separate partial index is paid for on every insert).
  UNIQUE (conversation_id, version),
  UNIQUE (conversation_id, event_id)
);

-- Full-text search over message content and conversation titles. Contentless (the text is stored
-- once, in events.data) and detail=none (queries are single-token prefix terms, so no positions are
-- needed). The row id is the position of the event the text came from: a message.appended event for
-- content, the current conversation.renamed event for a title. Rows are removed with the 'delete'
-- command and the original text, which secure-delete turns into a real removal of the tokens.
CREATE VIRTUAL TABLE search_index USING fts5 (
  body,
  content = '',
  detail = 'none',
  tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);

-- Messages are indexed behind the append (like a GIN pending list), in batches, and always before a
-- search reads the index. Invariant: a message is in search_index exactly when its position is at
-- or below indexed_through and it is not redacted. Titles are indexed when renamed.
CREATE TABLE search_progress (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_through  INTEGER NOT NULL
);
INSERT INTO search_progress (id, indexed_through) VALUES (1, 0);
