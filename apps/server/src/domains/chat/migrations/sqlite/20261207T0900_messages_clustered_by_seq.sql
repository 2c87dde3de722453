-- Messages stored in (conversation_id, seq) order: the table itself is that key (WITHOUT ROWID),
-- so a send writes two B-trees for its row (the table and UNIQUE (id)) instead of four (a rowid
-- table, its `id` primary key, UNIQUE (conversation_id, seq) and the covering index of live
-- messages), and a page of messages is a walk of consecutive rows instead of one row lookup per
-- index entry. `messages_live_by_seq` goes: the unread triggers' partial-bucket count (at most
-- 1,023 rows after a read marker, on marker moves, new members and blocks, never on a send) now
-- walks the table's own key range. Rows are mostly small; a long message spills into overflow
-- pages as before. Column order is unchanged (`SELECT *` callers), and so is every constraint:
-- `id` unique, seq unique and >= 1 per conversation, the conversation must exist.
-- The rows are copied in key order; dropping the old table drops its own triggers (and runs
-- none), so they are created again below on the new table, unchanged: the bucket counts of
-- 20261130T0300, the version and send bumps of 20261130T0400 / 20261207T0800 and the member unread
-- counts of 20261207T0000. No counter moves: the same rows are there before and after.
CREATE TABLE messages_clustered (
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  author_id TEXT NOT NULL,
  content TEXT,
  content_type TEXT NOT NULL,
  reply_to_id TEXT,
  metadata TEXT,
  created_at INTEGER NOT NULL,
  edited_at INTEGER,
  deleted_at INTEGER,
  PRIMARY KEY (conversation_id, seq)
) STRICT, WITHOUT ROWID;

INSERT INTO messages_clustered (id, conversation_id, seq, author_id, content, content_type,
    reply_to_id, metadata, created_at, edited_at, deleted_at)
  SELECT id, conversation_id, seq, author_id, content, content_type, reply_to_id, metadata,
    created_at, edited_at, deleted_at
  FROM messages ORDER BY conversation_id, seq;

DROP TABLE messages;
-- The member and block triggers of 20261207T0000 name `messages` in their bodies: a rename in
-- the default mode would re-check them while no `messages` exists and fail. The legacy mode
-- renames the table alone, so those triggers now read the new table under the same name.
PRAGMA legacy_alter_table = ON;
ALTER TABLE messages_clustered RENAME TO messages;
PRAGMA legacy_alter_table = OFF;

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

CREATE TRIGGER messages_version_insert AFTER INSERT ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1,
    next_seq = max(next_seq, NEW.seq + 1),
    last_message_at = max(coalesce(last_message_at, NEW.created_at), NEW.created_at),
    activity_at = max(activity_at, NEW.created_at)
  WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER messages_version_update AFTER UPDATE ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1 WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER messages_version_delete AFTER DELETE ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1 WHERE id = OLD.conversation_id;
END;

CREATE TRIGGER messages_unread_insert AFTER INSERT ON messages WHEN NEW.deleted_at IS NULL
BEGIN
  UPDATE conversation_members SET unread_count = unread_count + 1
    WHERE conversation_id = NEW.conversation_id AND agent_id <> NEW.author_id
      AND last_read_seq < NEW.seq
      AND agent_id NOT IN (SELECT blocker_id FROM blocks
                           WHERE type = 'agent' AND target_id = NEW.author_id);
END;

CREATE TRIGGER messages_unread_tombstone AFTER UPDATE OF deleted_at ON messages
  WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  UPDATE conversation_members SET unread_count = unread_count - 1
    WHERE conversation_id = NEW.conversation_id AND agent_id <> NEW.author_id
      AND last_read_seq < NEW.seq
      AND agent_id NOT IN (SELECT blocker_id FROM blocks
                           WHERE type = 'agent' AND target_id = NEW.author_id);
END;
