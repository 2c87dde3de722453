-- The message insert's member unread statement (20261207T1000_send_insert_trigger_fused) and the
-- tombstone's (20261207T0000_member_unread_counts) test "does this member block the author" in
-- their WHERE. A subquery in an UPDATE's WHERE keeps SQLite from updating in one pass: it first
-- collects the matching member keys into an ephemeral table (a B-tree and page cache created,
-- filled, read back and destroyed on every send), ~20 % of the send's SQL instructions
-- (bench/README.md, "Round 5: the send's store"). The test moves into the SET: every other member
-- behind the message is updated in place, by 1 if it does not block the author and by 0 if it
-- does. Same counts as before for any writer (unread.test.ts compares them to the plain SQL
-- definition); a blocking member's row is rewritten with its own value.
DROP TRIGGER messages_insert;
DROP TRIGGER messages_unread_tombstone;

CREATE TRIGGER messages_insert AFTER INSERT ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1,
    next_seq = max(next_seq, NEW.seq + 1),
    last_message_at = max(coalesce(last_message_at, NEW.created_at), NEW.created_at),
    activity_at = max(activity_at, NEW.created_at)
  WHERE id = NEW.conversation_id;
  INSERT INTO message_counts (conversation_id, bucket, live)
    SELECT NEW.conversation_id, NEW.seq / 1024, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (conversation_id, bucket) DO UPDATE SET live = live + 1;
  INSERT INTO message_author_counts (conversation_id, author_id, bucket, live)
    SELECT NEW.conversation_id, NEW.author_id, NEW.seq / 1024, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (conversation_id, author_id, bucket) DO UPDATE SET live = live + 1;
  UPDATE conversation_members SET unread_count = unread_count
      + NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = conversation_members.agent_id
                      AND type = 'agent' AND target_id = NEW.author_id)
    WHERE conversation_id = NEW.conversation_id AND NEW.deleted_at IS NULL
      AND agent_id <> NEW.author_id AND last_read_seq < NEW.seq;
END;

CREATE TRIGGER messages_unread_tombstone AFTER UPDATE OF deleted_at ON messages
  WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  UPDATE conversation_members SET unread_count = unread_count
      - NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = conversation_members.agent_id
                      AND type = 'agent' AND target_id = NEW.author_id)
    WHERE conversation_id = NEW.conversation_id AND agent_id <> NEW.author_id
      AND last_read_seq < NEW.seq;
END;
