-- A send checks its caller's session in its own call (issue 18, PostgreSQL round 4): the guard
-- used to read the session in a round trip of its own before every send; now the send batch
-- reads the sessions of its sends in the same call, at the start of its transaction, and writes
-- nothing for a send whose session is gone, revoked, expired or another agent's. Revocation stays
-- as immediate as before (the read is as fresh as the guard's was, on every instance); the rule
-- is the guard's (platform/auth/middleware.ts sessionRefusal), mirrored in `live` below, and the
-- caller refuses from the returned session columns with the guard's 401.
--
-- `fluxra_send_messages` is unchanged; this wrapper filters the sends and maps its rows back.

-- The elements of `a` at the positions `keep`, in that order.
CREATE FUNCTION fluxra_pick(a ANYARRAY, keep INTEGER[]) RETURNS ANYARRAY
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY(SELECT a[x.j] FROM unnest(keep) WITH ORDINALITY AS x(j, o) ORDER BY x.o) $$;

CREATE FUNCTION fluxra_send_messages_checked(
  p_session TEXT[], p_session_now BIGINT[],
  p_conversation TEXT[], p_author TEXT[], p_id TEXT[], p_content TEXT[], p_content_type TEXT[],
  p_reply_to TEXT[], p_metadata TEXT[], p_now BIGINT[], p_event_id TEXT[], p_json_head TEXT[],
  p_json_tail TEXT[], p_channel TEXT, p_lock BOOLEAN)
RETURNS TABLE (session_agent TEXT, session_expires BIGINT, session_revoked BIGINT,
  is_member BOOLEAN, is_blocked BOOLEAN, reply_found BOOLEAN, new_seq BIGINT, old_version BIGINT)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  n INTEGER := coalesce(array_length(p_conversation, 1), 0);
  agents TEXT[];
  expires BIGINT[];
  revoked BIGINT[];
  keep INTEGER[];
  m BOOLEAN[];
  b BOOLEAN[];
  r BOOLEAN[];
  s BIGINT[];
  v BIGINT[];
  k INTEGER := 0;
BEGIN
  -- 1. Every send's session row (a null hash asks for no check), in the order of the sends.
  SELECT array_agg(t.agent_id ORDER BY u.i), array_agg(t.expires_at ORDER BY u.i),
      array_agg(t.revoked_at ORDER BY u.i)
    INTO agents, expires, revoked
    FROM unnest(p_session) WITH ORDINALITY AS u(h, i)
    LEFT JOIN sessions t ON t.id_hash = u.h COLLATE "C";
  -- 2. The sends whose session is live (the guard's rule), in order: the sort by conversation
  --    that fluxra_send_messages relies on is kept.
  keep := ARRAY(SELECT i FROM generate_series(1, n) AS i
    WHERE p_session[i] IS NULL
      OR (agents[i] = p_author[i] AND revoked[i] IS NULL AND expires[i] > p_session_now[i])
    ORDER BY i);
  -- 3. Only those are sent (all of them, unfiltered, in the usual case).
  IF cardinality(keep) = n THEN
    SELECT array_agg(f.m ORDER BY f.o), array_agg(f.b ORDER BY f.o), array_agg(f.r ORDER BY f.o),
        array_agg(f.s ORDER BY f.o), array_agg(f.v ORDER BY f.o)
      INTO m, b, r, s, v
      FROM fluxra_send_messages(p_conversation, p_author, p_id, p_content, p_content_type,
        p_reply_to, p_metadata, p_now, p_event_id, p_json_head, p_json_tail, p_channel, p_lock)
        WITH ORDINALITY AS f(m, b, r, s, v, o);
  ELSIF cardinality(keep) > 0 THEN
    SELECT array_agg(f.m ORDER BY f.o), array_agg(f.b ORDER BY f.o), array_agg(f.r ORDER BY f.o),
        array_agg(f.s ORDER BY f.o), array_agg(f.v ORDER BY f.o)
      INTO m, b, r, s, v
      FROM fluxra_send_messages(fluxra_pick(p_conversation, keep), fluxra_pick(p_author, keep),
        fluxra_pick(p_id, keep), fluxra_pick(p_content, keep), fluxra_pick(p_content_type, keep),
        fluxra_pick(p_reply_to, keep), fluxra_pick(p_metadata, keep), fluxra_pick(p_now, keep),
        fluxra_pick(p_event_id, keep), fluxra_pick(p_json_head, keep),
        fluxra_pick(p_json_tail, keep), p_channel, p_lock)
        WITH ORDINALITY AS f(m, b, r, s, v, o);
  END IF;
  -- 4. One row per send, in the order given: its session, then the send's own facts (nulls and
  --    falses for a send not sent).
  FOR i IN 1..n LOOP
    session_agent := agents[i];
    session_expires := expires[i];
    session_revoked := revoked[i];
    IF k < cardinality(keep) AND keep[k + 1] = i THEN
      k := k + 1;
      is_member := m[k];
      is_blocked := b[k];
      reply_found := r[k];
      new_seq := s[k];
      old_version := v[k];
    ELSE
      is_member := false;
      is_blocked := false;
      reply_found := false;
      new_seq := NULL;
      old_version := NULL;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
