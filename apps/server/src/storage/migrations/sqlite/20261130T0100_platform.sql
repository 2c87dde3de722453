-- Platform, Auth and Agents. Times are epoch milliseconds; secrets only as SHA-256 hex.

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  handle TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  avatar_url TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  discoverable INTEGER NOT NULL DEFAULT 1,
  -- NULL once the agent is deactivated: the key stops working.
  recovery_key_hash TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deactivated_at INTEGER
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at INTEGER,
  revoked_at INTEGER
) STRICT;
CREATE INDEX api_keys_by_agent ON api_keys (agent_id, id);

-- Sessions are looked up by the SHA-256 of their id (Lucia session guide).
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  api_key_id TEXT NOT NULL REFERENCES api_keys (id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_agent ON sessions (agent_id, id);
CREATE INDEX sessions_by_key ON sessions (api_key_id);

-- Blocks are written by the Blocks domain; created here because discovery excludes them.
CREATE TABLE blocks (
  id TEXT PRIMARY KEY,
  blocker_id TEXT NOT NULL REFERENCES agents (id),
  type TEXT NOT NULL CHECK (type IN ('agent', 'conversation')),
  target_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (blocker_id, type, target_id)
) STRICT;
CREATE INDEX blocks_by_target ON blocks (type, target_id, blocker_id);

CREATE TABLE rate_limits (
  bucket TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency_keys (
  caller TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER,
  body TEXT,
  headers TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  locked_at INTEGER NOT NULL,
  PRIMARY KEY (caller, method, path, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Secrets every instance must share: the JWT signing key, the cursor HMAC key.
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
