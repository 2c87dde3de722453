-- A session never outlives the api key that opened it: new sessions are capped at their key's
-- expires_at when they are opened; this caps the sessions opened before that rule existed.
UPDATE sessions
SET expires_at = (SELECT k.expires_at FROM api_keys k WHERE k.id = sessions.api_key_id)
WHERE EXISTS (
  SELECT 1 FROM api_keys k
  WHERE k.id = sessions.api_key_id
    AND k.expires_at IS NOT NULL
    AND k.expires_at < sessions.expires_at
);
