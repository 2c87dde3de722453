-- Idempotency records move from a WITHOUT ROWID table keyed by (caller, method, path, key) to a
-- rowid table with that key as a UNIQUE index. Keys are random (the SDK sends UUIDs), so the old
-- layout put each ~1 KB record (its sealed response) on a random leaf page: every claim and every
-- completion dirtied a different page, split pages as rows grew from claim to completion, and
-- wrote all of them to the WAL. Now the records are appended in arrival order (claim and
-- completion touch the same recent pages) and only the small key index takes random inserts:
-- measured here, 162 → 73 µs of SQLite work per keyed POST.
CREATE TABLE idempotency_keys_v2 (
  rid INTEGER PRIMARY KEY,
  caller TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER,
  body TEXT,
  headers TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  locked_at INTEGER NOT NULL,
  UNIQUE (caller, method, path, key)
) STRICT;

INSERT INTO idempotency_keys_v2
  (caller, method, path, key, request_hash, status, body, headers, created_at, locked_at)
  SELECT caller, method, path, key, request_hash, status, body, headers, created_at, locked_at
  FROM idempotency_keys ORDER BY created_at;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_v2 RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
