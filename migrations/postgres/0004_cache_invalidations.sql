-- Cache invalidations that a store instance could not apply to Redis itself (its Redis
-- unreachable, or a write-through that failed after the commit). Instances whose Redis is healthy
-- apply them, woken by NOTIFY on scrollback_cache and by a short poll, so one partitioned writer
-- never leaves the shared cache serving an entry older than its commit. Rows are kept for an hour
-- (any instance prunes older ones); `position` is the conversation's position after the commit.
CREATE TABLE cache_invalidations (
  id bigserial PRIMARY KEY,
  conversation_id text NOT NULL,
  position bigint NOT NULL,
  -- Transaction start time: a row becomes visible at most one statement timeout after it.
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cache_invalidations_recent ON cache_invalidations (recorded_at, id);
