-- `conversations.messages_version` counts every change to a conversation's messages (insert,
-- edit, tombstone), by any writer: this process, another process on the same file, or a tool
-- writing SQL by hand. The in-memory tail of serialized messages (message-tail.ts) is served only
-- while the version it was built at still matches the row, so a change it did not see makes it
-- stale instead of wrong. Triggers, not application code, so no write path can forget it.
ALTER TABLE conversations ADD COLUMN messages_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER messages_version_insert AFTER INSERT ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1 WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER messages_version_update AFTER UPDATE ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1 WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER messages_version_delete AFTER DELETE ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1 WHERE id = OLD.conversation_id;
END;
