-- A session's stored key becomes its id's creation time (the 10 characters after `ses_`, the
-- millisecond `created_at` also holds) followed by the SHA-256 of the id (`sessionIdHash`). The
-- hash alone is random, so each token exchange inserted it on a random leaf of
-- `sessions_by_hash`: one more page per session in the WAL and again in the checkpoint. With the
-- time first, new sessions append at the index's right edge, like the table's rows. Existing keys
-- are rewritten from the `id` column (the hash part is unchanged); the index is rebuilt after the
-- rewrite, one sort, instead of being updated one random row at a time.
DROP INDEX sessions_by_hash;
UPDATE sessions SET id_hash = substr(id, 5, 10) || id_hash;
CREATE UNIQUE INDEX sessions_by_hash ON sessions (id_hash);
