-- Platform, Auth and Agents on PostgreSQL: the same tables as SQLite's 001_platform.sql.
-- Text columns use COLLATE "C" so orderings (handles, ids, keyset cursors) are bytewise, as in
-- SQLite and JavaScript, whatever the database's default collation.
-- Times are epoch milliseconds (BIGINT); secrets only as SHA-256 hex. JSON fields stay TEXT so
-- they come back byte for byte as stored (jsonb would reorder object keys).

CREATE TABLE agents (
  id TEXT COLLATE "C" PRIMARY KEY,
  handle TEXT COLLATE "C" NOT NULL UNIQUE,
  display_name TEXT COLLATE "C" NOT NULL,
  description TEXT COLLATE "C" NOT NULL DEFAULT '',
  tags TEXT COLLATE "C" NOT NULL DEFAULT '[]',
  avatar_url TEXT COLLATE "C",
  metadata TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  discoverable BOOLEAN NOT NULL DEFAULT TRUE,
  -- NULL once the agent is deactivated: the key stops working.
  recovery_key_hash TEXT COLLATE "C" UNIQUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deactivated_at BIGINT
);

CREATE TABLE api_keys (
  id TEXT COLLATE "C" PRIMARY KEY,
  agent_id TEXT COLLATE "C" NOT NULL REFERENCES agents (id),
  name TEXT COLLATE "C" NOT NULL,
  prefix TEXT COLLATE "C" NOT NULL,
  secret_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  expires_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_by_agent ON api_keys (agent_id, id);

-- Sessions are looked up by the SHA-256 of their id (Lucia session guide).
CREATE TABLE sessions (
  id_hash TEXT COLLATE "C" PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  agent_id TEXT COLLATE "C" NOT NULL REFERENCES agents (id),
  api_key_id TEXT COLLATE "C" NOT NULL REFERENCES api_keys (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX sessions_by_agent ON sessions (agent_id, id);
CREATE INDEX sessions_by_key ON sessions (api_key_id);

CREATE TABLE blocks (
  id TEXT COLLATE "C" PRIMARY KEY,
  blocker_id TEXT COLLATE "C" NOT NULL REFERENCES agents (id),
  type TEXT COLLATE "C" NOT NULL CHECK (type IN ('agent', 'conversation')),
  target_id TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (blocker_id, type, target_id)
);
CREATE INDEX blocks_by_target ON blocks (type, target_id, blocker_id);

CREATE TABLE rate_limits (
  bucket TEXT COLLATE "C" PRIMARY KEY,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
  caller TEXT COLLATE "C" NOT NULL,
  method TEXT COLLATE "C" NOT NULL,
  path TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  request_hash TEXT COLLATE "C" NOT NULL,
  status INTEGER,
  body TEXT COLLATE "C",
  headers TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  locked_at BIGINT NOT NULL,
  PRIMARY KEY (caller, method, path, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Secrets every instance must share: the JWT signing key, the cursor HMAC key.
CREATE TABLE server_secrets (
  name TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL
);
