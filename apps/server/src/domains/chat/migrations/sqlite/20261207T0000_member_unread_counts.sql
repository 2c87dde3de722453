-- Unread counts kept per member (`conversation_members.unread_count`), so the conversation list
-- reads one column per row instead of counting: the count is the member's live messages after
-- its read marker, not its own, not by an author it blocks (the definition the property tests
-- check against plain SQL). Triggers keep it in the same transaction as every change that moves
-- it, whatever code path writes (the bench's bulk inserts, a tool writing SQL by hand):
-- - a live message inserted: +1 for each other member whose marker is before it and who does
--   not block its author; a message tombstoned: -1 for the same members (one UPDATE over the
--   conversation's member rows, which sit together in the primary key);
-- - a member row inserted (create, add, re-add after removal), its marker moved (either way),
--   or an agent block of the member's created or dropped: that member's count is recomputed
--   from the per-bucket counts of 011 (O(buckets after the marker + 1,024), not O(unread)).
-- Edits change no count. The 1024 is 011's bucket size (chat-sql.ts COUNT_BUCKET).
ALTER TABLE conversation_members ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;

UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = conversation_members.conversation_id AND seq > conversation_members.last_read_seq AND seq < (conversation_members.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024)
  - (SELECT coalesce(sum(live), 0) FROM message_author_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024
       AND author_id IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'
                         UNION SELECT conversation_members.agent_id));

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

CREATE TRIGGER members_unread_insert AFTER INSERT ON conversation_members
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = NEW.conversation_id AND seq > NEW.last_read_seq AND seq < (NEW.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> NEW.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_counts
     WHERE conversation_id = NEW.conversation_id AND bucket > NEW.last_read_seq / 1024)
  - (SELECT coalesce(sum(live), 0) FROM message_author_counts
     WHERE conversation_id = NEW.conversation_id AND bucket > NEW.last_read_seq / 1024
       AND author_id IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'
                         UNION SELECT NEW.agent_id))
    WHERE conversation_id = NEW.conversation_id AND agent_id = NEW.agent_id;
END;

CREATE TRIGGER members_unread_marker AFTER UPDATE OF last_read_seq ON conversation_members
  WHEN NEW.last_read_seq IS NOT OLD.last_read_seq
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = NEW.conversation_id AND seq > NEW.last_read_seq AND seq < (NEW.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> NEW.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_counts
     WHERE conversation_id = NEW.conversation_id AND bucket > NEW.last_read_seq / 1024)
  - (SELECT coalesce(sum(live), 0) FROM message_author_counts
     WHERE conversation_id = NEW.conversation_id AND bucket > NEW.last_read_seq / 1024
       AND author_id IN (SELECT target_id FROM blocks WHERE blocker_id = NEW.agent_id AND type = 'agent'
                         UNION SELECT NEW.agent_id))
    WHERE conversation_id = NEW.conversation_id AND agent_id = NEW.agent_id;
END;

-- Only the blocker's memberships where the target has written are recomputed.
CREATE TRIGGER blocks_unread_insert AFTER INSERT ON blocks WHEN NEW.type = 'agent'
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = conversation_members.conversation_id AND seq > conversation_members.last_read_seq AND seq < (conversation_members.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024)
  - (SELECT coalesce(sum(live), 0) FROM message_author_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024
       AND author_id IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'
                         UNION SELECT conversation_members.agent_id))
    WHERE agent_id = NEW.blocker_id AND EXISTS (SELECT 1 FROM message_author_counts a
      WHERE a.conversation_id = conversation_members.conversation_id AND a.author_id = NEW.target_id);
END;

CREATE TRIGGER blocks_unread_delete AFTER DELETE ON blocks WHEN OLD.type = 'agent'
BEGIN
  UPDATE conversation_members SET unread_count = (SELECT count(*) FROM messages
     WHERE conversation_id = conversation_members.conversation_id AND seq > conversation_members.last_read_seq AND seq < (conversation_members.last_read_seq / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> conversation_members.agent_id
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024)
  - (SELECT coalesce(sum(live), 0) FROM message_author_counts
     WHERE conversation_id = conversation_members.conversation_id AND bucket > conversation_members.last_read_seq / 1024
       AND author_id IN (SELECT target_id FROM blocks WHERE blocker_id = conversation_members.agent_id AND type = 'agent'
                         UNION SELECT conversation_members.agent_id))
    WHERE agent_id = OLD.blocker_id AND EXISTS (SELECT 1 FROM message_author_counts a
      WHERE a.conversation_id = conversation_members.conversation_id AND a.author_id = OLD.target_id);
END;
