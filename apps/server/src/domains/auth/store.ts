import type { NewAgent, OwnAgentRecord } from "../agents/records.js";
import type { ApiKeyRecord, SessionRecord } from "./records.js";

// Records (records.ts) are what handlers send; the `…State` types below are what the token
// exchange and the auth guard decide on. They never leave the server as they are: hashes and
// owners, times in epoch ms so the hot paths compare numbers (no date parsing per request).

/** What the token exchange checks of the api key it was given. */
export interface ApiKeyState {
  id: string;
  agentId: string;
  /** SHA-256 of the secret, compared in constant time. */
  hash: string;
  expiresAt: number | null;
  revokedAt: number | null;
  /** False once the owning agent is deactivated (read with the key: one lookup, not two). */
  agentActive: boolean;
}

/**
 * What the auth guard checks of a session on every request; looked up by the hash of its id
 * (`sessionIdHash`, after the Lucia session guide). The SQLite session cache holds these.
 */
export interface SessionState {
  id: string;
  agentId: string;
  apiKeyId: string;
  expiresAt: number;
  revokedAt: number | null;
}

/** A new api key: its metadata, owner, secret hash and expiry (epoch ms). */
export interface NewApiKey {
  id: string;
  agentId: string;
  name: string;
  prefix: string;
  secretHash: string;
  expiresAt: number | null;
}

/** A session the token exchange opens (`createdAt` also marks the key's last use). */
export type NewSession = Omit<SessionState, "revokedAt"> & { createdAt: number };

/** Storage of the Auth domain. All methods that write do so in one transaction. */
export interface AuthStore {
  /**
   * True when this backend's hot operations (message list and send) can check the caller's
   * session inside their own statement (PostgreSQL), so the guard may defer it there.
   */
  readonly foldsSessionCheck?: boolean;
  /** Inserts the agent and returns it; throws `ApiError("handle_taken")` when the handle exists. */
  createAgent(agent: NewAgent, recoveryKeyHash: string, now: number): Promise<OwnAgentRecord>;
  /** The active agent whose recovery key hashes to `hash`, with the stored hash. */
  findAgentByRecoveryKey(hash: string): Promise<{ agentId: string; hash: string } | null>;
  /** Stores a new key's metadata and hash and returns the metadata. */
  createApiKey(key: NewApiKey, now: number): Promise<ApiKeyRecord>;
  /** An agent's keys, newest first, starting after `afterId`. */
  listApiKeys(agentId: string, limit: number, afterId?: string): Promise<ApiKeyRecord[]>;
  /** The key whose secret hashes to `hash`, with whether its agent is still active. */
  findApiKeyBySecret(hash: string): Promise<ApiKeyState | null>;
  /** Revokes one of the agent's keys and every session it opened; false when the agent has no such key. */
  revokeApiKey(agentId: string, keyId: string, now: number): Promise<boolean>;
  /**
   * Opens a session (stored by `idHash`) and marks the key used, in one transaction; false (and
   * nothing written) when the key was revoked meanwhile.
   */
  createSession(session: NewSession, idHash: string): Promise<boolean>;
  /** The session stored under `idHash` (`sessionIdHash` of its id). */
  getSession(idHash: string): Promise<SessionState | null>;
  /**
   * An agent's live sessions, newest first, starting after `afterId`; `currentId` (the caller's
   * session, if any) is the one marked `current`.
   */
  listSessions(
    agentId: string,
    currentId: string | null,
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
