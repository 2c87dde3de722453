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

CREATE TABLE event_recipients (
  agent_id TEXT NOT NULL,
  pos INTEGER NOT NULL,
  PRIMARY KEY (agent_id, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_recipients_by_pos ON event_recipients (pos);

CREATE TABLE events_horizon (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  swept_through INTEGER NOT NULL
) STRICT;
INSERT INTO events_horizon (id, swept_through) VALUES (1, 0);
