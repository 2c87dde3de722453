-- `conversations.messages_version` counts every change to a conversation's messages (insert,
-- edit, tombstone, delete), by any writer (as SQLite's 012). Each instance keeps the newest
-- messages of the conversations it serves as JSON (storage/shared/message-tail.ts) and uses them
-- only while the version its own membership read returns still matches, so a change made by
-- another instance makes that cache stale, never wrong. A send already holds its conversation's
-- row lock, so the bump adds no new contention.
ALTER TABLE conversations ADD COLUMN messages_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION fluxra_bump_messages_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE conversations SET messages_version = messages_version + 1 WHERE id = OLD.conversation_id;
  ELSE
    UPDATE conversations SET messages_version = messages_version + 1 WHERE id = NEW.conversation_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER messages_version AFTER INSERT OR UPDATE OR DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION fluxra_bump_messages_version();
