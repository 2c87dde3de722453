-- A send is one INSERT into `messages`: the insert trigger that already bumped
-- `messages_version` (20261130T0400_message_versions) now also moves `next_seq` past the new seq
-- and the conversation's `last_message_at` / `activity_at` up to the message's time, in the same
-- UPDATE of the same row. The send knows `next_seq` (read with its membership check, or kept by
-- domains/chat/sqlite/send-state.ts, checked in the same BEGIN IMMEDIATE transaction), so it no
-- longer runs its own `UPDATE conversations … RETURNING`: one statement less per send (that
-- UPDATE cost ~17 µs alone one at a time and ~5 µs per send in bursts of 10; apps/server/README.md,
-- "The send path"). `max()` keeps every column monotonic, so any writer (a tool appending rows by
-- hand, the bench's bulk insert) leaves them consistent; `seq` stays gap-free because only the
-- send picks it, under the write lock, and UNIQUE (conversation_id, seq) refuses a duplicate.
DROP TRIGGER messages_version_insert;

CREATE TRIGGER messages_version_insert AFTER INSERT ON messages
BEGIN
  UPDATE conversations SET messages_version = messages_version + 1,
    next_seq = max(next_seq, NEW.seq + 1),
    last_message_at = max(coalesce(last_message_at, NEW.created_at), NEW.created_at),
    activity_at = max(activity_at, NEW.created_at)
  WHERE id = NEW.conversation_id;
END;
