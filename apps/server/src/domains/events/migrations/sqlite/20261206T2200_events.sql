-- Events (preview): the per-agent feed of GET /api/events. One `events` row per event holds its
-- payload (the resource as JSON); `event_recipients` names who receives it, written by one
-- INSERT … SELECT over the conversation's members in the same transaction as the change (so the
-- REST visibility rules are applied at event time, and a send costs two statements whatever the
-- member count). `pos` is the feed position: AUTOINCREMENT never reuses a swept position, and the
-- single writer makes positions commit-ordered. `events_horizon` records the last swept position:
-- an older cursor is answered 410 cursor_expired.
CREATE TABLE events (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_time ON events (created_at);

-- Clustered by position, with no per-agent index: a send's recipient rows are appended to one or
-- two pages whatever the member count (an (agent_id, pos) index touched one page per recipient:
-- 15-20x the cost at 100 members in the bench). A feed read walks the positions after its cursor
-- (up to the head) and keeps its own rows: cheap for a feed that keeps up, which long-polls do
-- (an idle poll moves its cursor to the head).
CREATE TABLE event_recipients (
  pos INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  PRIMARY KEY (pos, agent_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE events_horizon (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  swept_through INTEGER NOT NULL
) STRICT;
INSERT INTO events_horizon (id, swept_through) VALUES (1, 0);
