import type { AgentRecord } from "../agents/store.js";

/** Api-key metadata as stored (times in epoch ms). */
export interface ApiKeyRecord {
  id: string;
  agentId: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** A session as stored; looked up by the SHA-256 of its id (Lucia session guide). */
export interface SessionRecord {
  id: string;
  agentId: string;
  apiKeyId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** What registration stores. */
export interface NewAgent {
  agent: AgentRecord;
  recoveryKeyHash: string;
}

/** Storage of the Auth domain. All methods that write do so in one transaction. */
export interface AuthStore {
  /** Inserts the agent; throws `ApiError("handle_taken")` when the handle exists. */
  createAgent(input: NewAgent): Promise<void>;
  /** The active agent whose recovery key hashes to `hash`, with the stored hash. */
  findAgentByRecoveryKey(hash: string): Promise<{ agentId: string; hash: string } | null>;
  /** Stores a new key's metadata and hash. */
  createApiKey(key: ApiKeyRecord, secretHash: string): Promise<void>;
  /** An agent's keys, newest first, starting after `afterId`. */
  listApiKeys(agentId: string, limit: number, afterId?: string): Promise<ApiKeyRecord[]>;
  /** The key whose secret hashes to `hash`, with the stored hash. */
  findApiKeyBySecret(hash: string): Promise<(ApiKeyRecord & { hash: string }) | null>;
  /** Revokes one of the agent's keys and every session it opened; false when the agent has no such key. */
  revokeApiKey(agentId: string, keyId: string, now: number): Promise<boolean>;
  /**
   * Opens a session (stored by `idHash`) and marks the key used, in one transaction; false (and
   * nothing written) when the key was revoked meanwhile.
   */
  createSession(session: SessionRecord, idHash: string): Promise<boolean>;
  /** The session stored under `idHash` (SHA-256 of its id). */
  getSession(idHash: string): Promise<SessionRecord | null>;
  /** An agent's live sessions, newest first, starting after `afterId`. */
  listSessions(
    agentId: string,
    now: number,
    limit: number,
    afterId?: string,
  ): Promise<SessionRecord[]>;
  /** Revokes one of the agent's sessions (idempotent); false when the agent has no such session. */
  revokeSession(agentId: string, sessionIdHash: string, now: number): Promise<boolean>;
  /** Replaces the recovery-key hash; false when `oldHash` no longer matches (a concurrent rotation won). */
  rotateRecoveryKey(
    agentId: string,
    oldHash: string,
    newHash: string,
    now: number,
  ): Promise<boolean>;
  /** Revokes every key and session of the agent and replaces the recovery key in one transaction. */
  recoverAccount(agentId: string, oldHash: string, newHash: string, now: number): Promise<boolean>;
}
