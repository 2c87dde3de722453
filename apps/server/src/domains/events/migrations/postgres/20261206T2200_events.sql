-- Events (preview) on PostgreSQL: the same tables as SQLite's 014_events.sql. `pos` comes from a
-- sequence, which is not commit-ordered by itself: writers take a transaction-scoped advisory
-- lock before allocating positions and hold it to COMMIT (domains/events/postgres-store.ts), so
-- positions become visible in order on every instance and a cursor never skips one.
CREATE TABLE events (
  pos BIGSERIAL PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL,
  type TEXT COLLATE "C" NOT NULL,
  conversation_id TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (created_at);

-- Clustered by position with no per-agent index, as on SQLite (see its 014_events.sql).
CREATE TABLE event_recipients (
  pos BIGINT NOT NULL,
  agent_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (pos, agent_id)
);

CREATE TABLE events_horizon (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  swept_through BIGINT NOT NULL
);
INSERT INTO events_horizon (id, swept_through) VALUES (1, 0);
