-- Sessions move from a WITHOUT ROWID table keyed by `id_hash` to a rowid table with `id_hash` as
-- a UNIQUE index (as idempotency records did in 20261130T0500). The hash is random, so the old
-- layout put every new ~200-byte session row on a random leaf page of the table, and the
-- `sessions_by_key` index (which carried the random primary key) on a random page of the key's
-- range: each token exchange dirtied two random pages, split pages as the table grew, and wrote
-- all of them to the WAL (and the checkpoint copied them again). Now rows are appended in
-- arrival order, `sessions_by_key` appends too (it carries the rowid), and only the small hash
-- index takes random inserts: measured here, 58 → 33 µs of SQLite work per session insert in
-- batches of ten on a table of 60,000 sessions.
-- The copy is sorted (`+id`: not read through the old id index, which looked each row up by its
-- random key) and the unique indexes are built after it, one sort each: 500,000 old sessions move
-- in ~7.6 s on a loaded host, where copying into a table that already had the indexes took ~75 s.
CREATE TABLE sessions_v2 (
  id_hash TEXT NOT NULL,
  id TEXT NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  api_key_id TEXT NOT NULL REFERENCES api_keys (id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;

INSERT INTO sessions_v2 (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at)
  SELECT id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at
  FROM sessions ORDER BY +id;

DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
CREATE UNIQUE INDEX sessions_by_hash ON sessions (id_hash);
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
CREATE INDEX sessions_by_agent ON sessions (agent_id, id);
CREATE INDEX sessions_by_key ON sessions (api_key_id);
