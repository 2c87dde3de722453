-- Unread counts kept per member (`conversation_members.unread_count`), as the SQLite twin of this file: the
-- conversation list reads one column per row instead of counting. The count is the member's
-- live messages after its read marker, not its own, not by an author it blocks. Triggers keep it
-- in the transaction of every change that moves it, whatever code path writes:
-- - a live message inserted / tombstoned: +1 / -1 for each other member whose marker is before
--   it and who does not block its author (one UPDATE over the conversation's member rows);
-- - a member row inserted (create, add, re-add) or its marker moved (either way): the count is
--   recomputed from 011's per-bucket counts (`fluxra_unread_of`, O(buckets after the marker +
--   1,024)); an agent block created or dropped: the same for the blocker's memberships where
--   the target has written.
-- Concurrency (READ COMMITTED): each statement of a trigger function takes a fresh snapshot, so
-- what matters is who waits for whom. A send or tombstone holds its conversation's row (the
-- send's seq bump; the tombstone locks it here), and a block or unblock share-locks all the
-- blocker's conversations before it recomputes: so a recompute never misses a message that its
-- increment then also skips, or counts one twice. A member insert and a block of the same agent
-- take one advisory lock (after any conversation lock, never before: no lock cycle), so a block
-- never misses a membership committed meanwhile. Marker moves and recomputes meet on the row lock.
-- Edits change no count. The 1024 is 011's bucket size (chat-sql.ts COUNT_BUCKET).
ALTER TABLE conversation_members ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION fluxra_unread_of(cid TEXT, aid TEXT, marker BIGINT) RETURNS INTEGER
LANGUAGE sql STABLE AS $$
  SELECT ((SELECT count(*) FROM messages
     WHERE conversation_id = cid AND seq > marker AND seq < (marker / 1024 + 1) * 1024
       AND deleted_at IS NULL AND author_id <> aid
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = aid AND type = 'agent'))
  + (SELECT coalesce(sum(live), 0) FROM message_counts
     WHERE conversation_id = cid AND bucket > marker / 1024)
  - (SELECT coalesce(sum(live), 0) FROM message_author_counts
     WHERE conversation_id = cid AND bucket > marker / 1024
       AND author_id IN (SELECT target_id FROM blocks WHERE blocker_id = aid AND type = 'agent'
                         UNION SELECT aid)))::integer
$$;

UPDATE conversation_members
  SET unread_count = fluxra_unread_of(conversation_id, agent_id, last_read_seq);

CREATE FUNCTION fluxra_unread_on_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta INTEGER;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.deleted_at IS NULL THEN
    delta := 1;
  ELSIF TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    delta := -1;
  ELSE
    RETURN NULL;
  END IF;
  PERFORM 1 FROM conversations WHERE id = NEW.conversation_id FOR NO KEY UPDATE;
  UPDATE conversation_members SET unread_count = unread_count + delta
    WHERE conversation_id = NEW.conversation_id AND agent_id <> NEW.author_id
      AND last_read_seq < NEW.seq
      AND agent_id NOT IN (SELECT blocker_id FROM blocks
                           WHERE type = 'agent' AND target_id = NEW.author_id);
  RETURN NULL;
END
$$;

CREATE TRIGGER messages_unread AFTER INSERT OR UPDATE OF deleted_at ON messages
  FOR EACH ROW EXECUTE FUNCTION fluxra_unread_on_message();

CREATE FUNCTION fluxra_unread_on_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.last_read_seq = OLD.last_read_seq THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_advisory_xact_lock(1016, hashtext(current_schema() || ':' || NEW.agent_id));
  END IF;
  NEW.unread_count := fluxra_unread_of(NEW.conversation_id, NEW.agent_id, NEW.last_read_seq);
  RETURN NEW;
END
$$;

CREATE TRIGGER members_unread BEFORE INSERT OR UPDATE OF last_read_seq ON conversation_members
  FOR EACH ROW EXECUTE FUNCTION fluxra_unread_on_member();

CREATE FUNCTION fluxra_unread_on_block() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  b blocks%ROWTYPE;
BEGIN
  IF TG_OP = 'INSERT' THEN b := NEW; ELSE b := OLD; END IF;
  IF b.type <> 'agent' THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM conversations WHERE id IN (
    SELECT conversation_id FROM conversation_members WHERE agent_id = b.blocker_id)
    ORDER BY id FOR SHARE;
  PERFORM pg_advisory_xact_lock(1016, hashtext(current_schema() || ':' || b.blocker_id));
  UPDATE conversation_members m
    SET unread_count = fluxra_unread_of(m.conversation_id, m.agent_id, m.last_read_seq)
    WHERE m.agent_id = b.blocker_id AND EXISTS (SELECT 1 FROM message_author_counts a
      WHERE a.conversation_id = m.conversation_id AND a.author_id = b.target_id);
  RETURN NULL;
END
$$;

CREATE TRIGGER blocks_unread AFTER INSERT OR DELETE ON blocks
  FOR EACH ROW EXECUTE FUNCTION fluxra_unread_on_block();
