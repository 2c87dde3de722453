-- Chat on PostgreSQL: the same tables as SQLite's 010_chat.sql. Why it is safe across instances:
-- - `seq`: the message insert's transaction bumps `conversations.next_seq` with
--   `UPDATE … RETURNING`; the row lock serialises senders of one conversation on every instance,
--   so `seq` is gap-free (a rolled-back insert rolls the bump back too) and strictly increasing.
--   UNIQUE (conversation_id, seq) makes a violation impossible rather than unlikely.
-- - One direct conversation per pair: UNIQUE (direct_low, direct_high) on the ordered pair and
--   `INSERT … ON CONFLICT DO NOTHING`; groups leave both NULL, and NULLs never collide.
CREATE TABLE conversations (
  id TEXT COLLATE "C" PRIMARY KEY,
  type TEXT COLLATE "C" NOT NULL CHECK (type IN ('direct', 'group')),
  title TEXT COLLATE "C",
  description TEXT COLLATE "C",
  created_by TEXT COLLATE "C" NOT NULL,
  direct_low TEXT COLLATE "C",
  direct_high TEXT COLLATE "C",
  member_count INTEGER NOT NULL DEFAULT 0,
  next_seq BIGINT NOT NULL DEFAULT 1,
  last_message_at BIGINT,
  activity_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (direct_low, direct_high),
  CHECK ((type = 'direct') = (direct_low IS NOT NULL AND direct_high IS NOT NULL)),
  CHECK (direct_low IS NULL OR direct_low < direct_high)
);

CREATE TABLE conversation_members (
  conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
  agent_id TEXT COLLATE "C" NOT NULL,
  role TEXT COLLATE "C" NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at BIGINT NOT NULL,
  last_read_seq BIGINT NOT NULL DEFAULT 0,
  last_read_message_id TEXT COLLATE "C",
  PRIMARY KEY (conversation_id, agent_id)
);
CREATE INDEX conversation_members_by_agent ON conversation_members (agent_id, conversation_id);
CREATE INDEX conversations_by_activity ON conversations (activity_at DESC, id DESC);

CREATE TABLE messages (
  id TEXT COLLATE "C" PRIMARY KEY,
  conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  author_id TEXT COLLATE "C" NOT NULL,
  content TEXT COLLATE "C",
  content_type TEXT COLLATE "C" NOT NULL,
  reply_to_id TEXT COLLATE "C",
  metadata TEXT COLLATE "C",
  created_at BIGINT NOT NULL,
  edited_at BIGINT,
  deleted_at BIGINT,
  UNIQUE (conversation_id, seq)
);

-- Unread counts walk the live messages after the reader's position, index-only.
CREATE INDEX messages_live_by_seq
  ON messages (conversation_id, seq) INCLUDE (author_id) WHERE deleted_at IS NULL;
