-- A session's stored key becomes its id's creation time (the 10 characters after `ses_`, the
-- millisecond `created_at` also holds) followed by the SHA-256 of the id (`sessionIdHash`), so
-- new sessions append at the right edge of the `id_hash` index instead of a random leaf (see the
-- SQLite migration of the same name). Existing keys are rewritten from the `id` column; the hash
-- part is unchanged, and the new keys (74 characters) never collide with old ones (64).
UPDATE sessions SET id_hash = substring(id from 5 for 10) || id_hash;
