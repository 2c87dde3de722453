-- Live-message counts per 1,024-seq bucket, so an unread count costs O(buckets + 1,024) rather
-- than O(unread): full buckets after the read marker are summed from `message_counts`, minus the
-- caller's own and blocked authors' buckets from `message_author_counts`; only the marker's own
-- partial bucket is counted from the messages index. Triggers keep both tables in the same
-- transaction as the insert or tombstoning, whatever code path writes `messages`.
-- The bucket size 1024 is repeated in chat-sql.ts (COUNT_BUCKET); change both together.
CREATE TABLE message_counts (
  conversation_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  live INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, bucket)
) STRICT, WITHOUT ROWID;

CREATE TABLE message_author_counts (
  conversation_id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  live INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, author_id, bucket)
) STRICT, WITHOUT ROWID;

INSERT INTO message_counts (conversation_id, bucket, live)
  SELECT conversation_id, seq / 1024, count(*) FROM messages
  WHERE deleted_at IS NULL GROUP BY conversation_id, seq / 1024;

INSERT INTO message_author_counts (conversation_id, author_id, bucket, live)
  SELECT conversation_id, author_id, seq / 1024, count(*) FROM messages
  WHERE deleted_at IS NULL GROUP BY conversation_id, author_id, seq / 1024;

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages WHEN NEW.deleted_at IS NULL
BEGIN
  INSERT INTO message_counts (conversation_id, bucket, live)
    VALUES (NEW.conversation_id, NEW.seq / 1024, 1)
    ON CONFLICT (conversation_id, bucket) DO UPDATE SET live = live + 1;
  INSERT INTO message_author_counts (conversation_id, author_id, bucket, live)
    VALUES (NEW.conversation_id, NEW.author_id, NEW.seq / 1024, 1)
    ON CONFLICT (conversation_id, author_id, bucket) DO UPDATE SET live = live + 1;
END;

CREATE TRIGGER messages_count_delete AFTER UPDATE OF deleted_at ON messages
  WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  UPDATE message_counts SET live = live - 1
    WHERE conversation_id = NEW.conversation_id AND bucket = NEW.seq / 1024;
  UPDATE message_author_counts SET live = live - 1
    WHERE conversation_id = NEW.conversation_id AND author_id = NEW.author_id
      AND bucket = NEW.seq / 1024;
END;
