-- Live-message counts per 1,024-seq bucket (as SQLite's 011), so an unread count costs
-- O(buckets after the marker + 1,024) rather than O(unread): full buckets after the read marker
-- are summed from `message_counts`, minus the reader's own and blocked authors' buckets from
-- `message_author_counts`; only the marker's own partial bucket is counted from the messages
-- index. A trigger keeps both in the transaction that inserts or tombstones the message; a send
-- already holds its conversation's row lock, so the bucket rows add no new contention.
-- The bucket size 1024 is repeated in chat-sql.ts (COUNT_BUCKET); change both together.
CREATE TABLE message_counts (
  conversation_id TEXT COLLATE "C" NOT NULL,
  bucket BIGINT NOT NULL,
  live INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, bucket)
);

CREATE TABLE message_author_counts (
  conversation_id TEXT COLLATE "C" NOT NULL,
  author_id TEXT COLLATE "C" NOT NULL,
  bucket BIGINT NOT NULL,
  live INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, author_id, bucket)
);

INSERT INTO message_counts (conversation_id, bucket, live)
  SELECT conversation_id, seq / 1024, count(*) FROM messages
  WHERE deleted_at IS NULL GROUP BY conversation_id, seq / 1024;

INSERT INTO message_author_counts (conversation_id, author_id, bucket, live)
  SELECT conversation_id, author_id, seq / 1024, count(*) FROM messages
  WHERE deleted_at IS NULL GROUP BY conversation_id, author_id, seq / 1024;

CREATE FUNCTION fluxra_count_live_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.deleted_at IS NULL THEN
      INSERT INTO message_counts AS t (conversation_id, bucket, live)
        VALUES (NEW.conversation_id, NEW.seq / 1024, 1)
        ON CONFLICT (conversation_id, bucket) DO UPDATE SET live = t.live + 1;
      INSERT INTO message_author_counts AS t (conversation_id, author_id, bucket, live)
        VALUES (NEW.conversation_id, NEW.author_id, NEW.seq / 1024, 1)
        ON CONFLICT (conversation_id, author_id, bucket) DO UPDATE SET live = t.live + 1;
    END IF;
  ELSIF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    UPDATE message_counts SET live = live - 1
      WHERE conversation_id = NEW.conversation_id AND bucket = NEW.seq / 1024;
    UPDATE message_author_counts SET live = live - 1
      WHERE conversation_id = NEW.conversation_id AND author_id = NEW.author_id
        AND bucket = NEW.seq / 1024;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER messages_count_live AFTER INSERT OR UPDATE OF deleted_at ON messages
  FOR EACH ROW EXECUTE FUNCTION fluxra_count_live_messages();
