-- The three AFTER INSERT triggers of `messages` (the bucket counts of 20261130T0300, the version
-- and send bumps of 20261207T0800, the member unread counts of 20261207T0000, all re-created
-- unchanged by 20261207T0900) become one trigger running the same four statements: SQLite runs
-- each fired trigger as its own sub-program (a frame, its registers, its own WHEN test), so a
-- send paid that three times. The counts' and unread counts' `WHEN NEW.deleted_at IS NULL` moves
-- into their statements' WHERE: a row inserted already tombstoned (only a hand-written INSERT
-- can) still moves `messages_version`, `next_seq` and the activity times and no count, as before.
-- The unread statement's blocked-member test becomes a NOT EXISTS probe of blocks' UNIQUE
-- (blocker_id, type, target_id) per member row, instead of NOT IN over a subquery, which SQLite
-- materialized into a temporary table on every send. Triggers still keep every counter exact for
-- any writer: nothing moves into application code.
DROP TRIGGER messages_count_insert;
DROP TRIGGER messages_version_insert;
DROP TRIGGER messages_unread_insert;

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
  UPDATE conversation_members SET unread_count = unread_count + 1
    WHERE conversation_id = NEW.conversation_id AND NEW.deleted_at IS NULL
      AND agent_id <> NEW.author_id AND last_read_seq < NEW.seq
      AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = conversation_members.agent_id
                        AND type = 'agent' AND target_id = NEW.author_id);
END;
