-- Chat: conversations, members, messages. Design notes (why, not what):
-- - `conversations.next_seq` is bumped by the message insert's own BEGIN IMMEDIATE transaction,
--   so `seq` is gap-free and strictly increasing per conversation; UNIQUE(conversation_id, seq)
--   makes a violation impossible rather than unlikely.
-- - Direct conversations store their pair ordered (`direct_low` < `direct_high`) under a UNIQUE
--   constraint; get-or-create is `INSERT … ON CONFLICT DO NOTHING` then a read, never
--   check-then-insert. Groups leave both NULL, and NULLs never collide.
-- - Times are epoch ms (INTEGER), like the platform's tables.
-- - `activity_at` = last message time, else creation time: the list order, kept in the row so
--   the conversation list is one indexed join.
-- - Message pages walk UNIQUE(conversation_id, seq) by keyset; unread counts walk the partial
--   index of live messages from the reader's `last_read_seq`, index-only, so both cost what they
--   return, not the conversation's size.
-- - Former members have no row: leaving deletes the membership, so every "is a member" check is
--   one primary-key probe and a former member sees 404 like a stranger.
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('direct', 'group')),
  title TEXT,
  description TEXT,
  created_by TEXT NOT NULL,
  direct_low TEXT,
  direct_high TEXT,
  member_count INTEGER NOT NULL DEFAULT 0,
  next_seq INTEGER NOT NULL DEFAULT 1,
  last_message_at INTEGER,
  activity_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (direct_low, direct_high),
  CHECK ((type = 'direct') = (direct_low IS NOT NULL AND direct_high IS NOT NULL)),
  CHECK (direct_low IS NULL OR direct_low < direct_high)
) STRICT;

CREATE TABLE conversation_members (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  agent_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at INTEGER NOT NULL,
  last_read_seq INTEGER NOT NULL DEFAULT 0,
  last_read_message_id TEXT,
  PRIMARY KEY (conversation_id, agent_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX conversation_members_by_agent
  ON conversation_members (agent_id, conversation_id);

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
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
  UNIQUE (conversation_id, seq)
) STRICT;

-- deleted_at is listed (always NULL here) only so SQLite treats the index as covering.
CREATE INDEX messages_live_by_seq
  ON messages (conversation_id, seq, author_id, deleted_at) WHERE deleted_at IS NULL;

