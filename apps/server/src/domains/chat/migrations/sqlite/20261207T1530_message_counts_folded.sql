-- One counter row per send instead of two: the per-bucket live counts (`message_counts`, by
-- conversation and bucket) and the per-author ones (`message_author_counts`, by conversation,
-- author and bucket) of 20261130T0300 become one table, `message_bucket_counts`, keyed
-- (conversation_id, bucket, author_id). The insert trigger upserts one row (and the commit writes
-- one counter page) instead of two: ~7,000 of the send's ~86,000 SQL instructions (bench/README.md,
-- "Round 5: the send's store"). What read the two tables now reads the one:
-- - an unread recompute (a member added, its marker moved, an agent block of it made or
--   dropped) sums the live counts of the buckets after the marker's own, leaving out the
--   member's own and blocked authors' rows: the same key range (conversation, bucket > marker's)
--   as `message_counts` was walked by, now with one row per author who wrote in each bucket;
--   the marker's partial bucket is still counted from the messages key range;
-- - the block triggers' "has the target written in this conversation" probe reads the index
--   `message_bucket_counts_by_author` (author_id, conversation_id), which changes only when an
--   author's first message of a bucket creates a row (never on the upsert of an existing one:
--   `live` is not in it).
-- The counts are copied from `message_author_counts` (exact: trigger-kept since 20261130T0300),
-- and every trigger that read or wrote the two tables is created again below on the new one.
-- Counters stay trigger-kept for any writer; unread.test.ts compares them to the plain SQL
-- definition. The 1024 is the bucket size of rows.ts COUNT_BUCKET.
CREATE TABLE message_bucket_counts (
  conversation_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  author_id TEXT NOT NULL,
  live INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, bucket, author_id)
) STRICT, WITHOUT ROWID;

INSERT INTO message_bucket_counts (conversation_id, bucket, author_id, live)
  SELECT conversation_id, bucket, author_id, live FROM message_author_counts
  ORDER BY conversation_id, bucket, author_id;

CREATE INDEX message_bucket_counts_by_author
  ON message_bucket_counts (author_id, conversation_id);

DROP TRIGGER messages_insert;
DROP TRIGGER messages_count_delete;
DROP TRIGGER members_unread_insert;
DROP TRIGGER members_unread_marker;
DROP TRIGGER blocks_unread_insert;
DROP TRIGGER blocks_unread_delete;
DROP TABLE message_counts;
DROP TABLE message_author_counts;

CREATE TRIGGER messages_insert AFTER INSERT ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1,
    next_seq = max(next_seq, NEW.seq + 1),
    last_message_at = max(coalesce(last_message_at, NEW.created_at), NEW.created_at),
    activity_at = max(activity_at, NEW.created_at)
  WHERE id = NEW.conversation_id;
  INSERT INTO message_bucket_counts (conversation_id, bucket, author_id, live)
    SELECT NEW.conversation_id, NEW.seq / 1024, NEW.author_id, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (conversation_id, bucket, author_id) DO UPDATE SET live = live + 1;
  UPDATE conversation_members SET unread_count = unread_count
      + NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = conversation_members.agent_id
                      AND type = 'agent' AND target_id = NEW.author_id)
    WHERE conversation_id = NEW.conversation_id AND NEW.deleted_at IS NULL
      AND agent_id <> NEW.author_id AND last_read_seq < NEW.seq;
END;

CREATE TRIGGER messages_count_delete AFTER UPDATE OF deleted_at ON messages
  WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  UPDATE message_bucket_counts SET live = live - 1
    WHERE conversation_id = NEW.conversation_id AND bucket = NEW.seq / 1024
      AND author_id = NEW.author_id;
END;

CREATE TRIGGER members_unread_insert AFTER INSERT ON conversation_members
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = NEW.conversation_id AND seq > NEW.last_read_seq AND seq < (NEW.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> NEW.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_bucket_counts
     WHERE conversation_id = NEW.conversation_id AND bucket > NEW.last_read_seq / 1024
       AND author_id <> NEW.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'))
    WHERE conversation_id = NEW.conversation_id AND agent_id = NEW.agent_id;
END;

CREATE TRIGGER members_unread_marker AFTER UPDATE OF last_read_seq ON conversation_members
  WHEN NEW.last_read_seq IS NOT OLD.last_read_seq
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = NEW.conversation_id AND seq > NEW.last_read_seq AND seq < (NEW.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> NEW.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_bucket_counts
     WHERE conversation_id = NEW.conversation_id AND bucket > NEW.last_read_seq / 1024
       AND author_id <> NEW.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'))
    WHERE conversation_id = NEW.conversation_id AND agent_id = NEW.agent_id;
END;

-- Only the blocker's memberships where the target has written are recomputed.
CREATE TRIGGER blocks_unread_insert AFTER INSERT ON blocks WHEN NEW.type = 'agent'
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = conversation_members.conversation_id AND seq > conversation_members.last_read_seq AND seq < (conversation_members.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_bucket_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024
       AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
    WHERE agent_id = NEW.blocker_id AND EXISTS (SELECT 1 FROM message_bucket_counts a
      WHERE a.author_id = NEW.target_id AND a.conversation_id = conversation_members.conversation_id);
END;

CREATE TRIGGER blocks_unread_delete AFTER DELETE ON blocks WHEN OLD.type = 'agent'
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = conversation_members.conversation_id AND seq > conversation_members.last_read_seq AND seq < (conversation_members.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_bucket_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024
       AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
    WHERE agent_id = OLD.blocker_id AND EXISTS (SELECT 1 FROM message_bucket_counts a
      WHERE a.author_id = OLD.target_id AND a.conversation_id = conversation_members.conversation_id);
END;
