/** An access token as kept in a {@link TokenStore}. */
export interface StoredToken {
  accessToken: string;
  /** The server's absolute expiry (RFC 3339), used to judge a token loaded after a restart. */
  expiresAt: string;
  sessionId?: string | undefined;
}

/**
 * Where the SDK keeps the access token it obtained, so it survives restarts or is shared between
 * processes (a file, Redis, a KV store…). Async so any backend fits. `key` identifies the
 * credential (derived from the api key's public prefix, never the secret).
 */
export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The default store: a `Map` in this process's memory. */
export function createMemoryTokenStore(): TokenStore {
  const map = new Map<string, StoredToken>();
  return {
    get: async (key) => map.get(key),
    set: async (key, token) => {
      map.set(key, token);
    },
    delete: async (key) => {
      map.delete(key);
    },
  };
}
