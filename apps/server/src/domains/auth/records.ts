/** The Auth resources in their API shape, as the stores return them. */

/** An api key's metadata (`ApiKey`; never the secret). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** A live session as its agent lists it (`Session`); `current` marks the caller's own. */
export interface SessionRecord {
  id: string;
  api_key_id: string;
  created_at: string;
  expires_at: string;
  current: boolean;
}
