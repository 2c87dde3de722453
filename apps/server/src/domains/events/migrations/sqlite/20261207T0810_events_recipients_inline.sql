-- One row per event, with its recipients in the row (SQLite only). Before, an event was an
-- `events` row (AUTOINCREMENT, so a `sqlite_sequence` update too, and an index by time for the
-- sweep) plus one `event_recipients` row per recipient from an INSERT … SELECT: two statements
-- and four B-trees per event, ~47 µs of a ~135 µs send one at a time and ~18 of ~52 µs per send
-- in bursts of 10 (bench, apps/server/README.md). Now:
-- - `recipients` holds the recipients' agent ids, each between spaces (` agt_a agt_b `), resolved
--   by the same visibility rule in the same INSERT (events/sqlite-store.ts MEMBERS_EVENT_SQL), so
--   who sees an event is still decided when it happens, in the transaction of the change;
-- - a feed read walks positions after its cursor, as it walked `event_recipients` before, and
--   keeps the rows naming the agent;
-- - `pos` is the rowid (max + 1; the single writer makes positions commit-ordered). The sweep
--   never leaves the table without its newest position (it keeps a recipient-less placeholder
--   there), so a position is never handed out twice, which is what AUTOINCREMENT gave;
-- - the sweep walks positions from the oldest (events are written in time order), no index.
CREATE TABLE events_inline (
  pos INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  recipients TEXT NOT NULL,
  data TEXT NOT NULL
) STRICT;

INSERT INTO events_inline (pos, id, type, conversation_id, created_at, recipients, data)
  SELECT e.pos, e.id, e.type, e.conversation_id, e.created_at,
    coalesce((SELECT ' ' || group_concat(r.agent_id, ' ') || ' '
      FROM event_recipients r WHERE r.pos = e.pos), ' '),
    e.data
  FROM events e;

-- The newest positions may have been swept: keep the counter's value as a placeholder.
INSERT INTO events_inline (pos, id, type, conversation_id, created_at, recipients, data)
  SELECT max(coalesce(s.seq, 0), h.swept_through), 'evt_position_placeholder', 'position.placeholder', '', 0,
    ' ', 'null'
  FROM events_horizon h LEFT JOIN sqlite_sequence s ON s.name = 'events'
  WHERE max(coalesce(s.seq, 0), h.swept_through) > coalesce((SELECT max(pos) FROM events), 0);

DROP TABLE event_recipients;
DROP TABLE events;
ALTER TABLE events_inline RENAME TO events;
