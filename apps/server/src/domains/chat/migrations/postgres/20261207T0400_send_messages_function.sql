-- Message sends in one round trip, several at once (PostgreSQL only; the SQLite twin of this file
-- is empty: its store runs the same steps in-process, where a statement costs no round trip and
-- its own group commit batches sends). Before this, one send was BEGIN, the membership read, the
-- seq bump + insert, the position lock, the event insert, the recipients + NOTIFY and COMMIT:
-- seven round trips with the conversation's row lock held across five of them and the events'
-- position lock (one per database) across three, and one WAL flush (fsync) per send. Senders of
-- one conversation, and every event writer, queued behind those round trips and flushes.
-- `fluxra_send_messages` is called as one statement outside an explicit transaction, so it runs
-- in its own transaction: locks are held only for the server-side work and the commit, and the
-- caller (chat/postgres/messages.ts) passes every send that arrived while the previous call ran,
-- so the position lock and the WAL flush are paid once per batch (group commit).
--
-- Arrays of the same length, one element per send, in the order to apply them (the caller sorts
-- them by conversation, keeping arrival order within one: row locks are always taken in id order,
-- as a block's trigger takes them, so two batches never deadlock). Per send, in order:
-- 1. Lock the conversation row (FOR NO KEY UPDATE, the seq bump's level). Member changes lock
--    the row FOR UPDATE and a block share-locks the blocker's conversations, so the checks below
--    read membership and blocks that cannot change before COMMIT.
-- 2. Read the facts the refusal rule needs (chat/rules.ts sendRefusal decides on them in the
--    caller): is the author a member, is a direct conversation blocked either way, does
--    reply_to name a message of this conversation. A refused send writes nothing, and the others
--    go on: one refusal never fails the batch.
-- 3. Bump next_seq and insert the message (seq gap-free: a rolled-back batch rolls back every
--    bump; the triggers of the earlier migrations count it). `old_version` is read under the row
--    lock before the insert's trigger bumps it.
-- Then, after every row lock: take the events' position lock (events/postgres-store.ts; `p_lock`
-- is false only for the bench switch that measures its cost), insert each written message's
-- `message.created` event (data: the message JSON, passed without its seq as head and tail) and
-- its recipients (the rule of events/rules.ts RECIPIENTS_SQL), and queue the NOTIFY naming them
-- (delivered on COMMIT, never on rollback). Returns one row per send, in the order given.
CREATE FUNCTION fluxra_send_messages(
  p_conversation TEXT[], p_author TEXT[], p_id TEXT[], p_content TEXT[], p_content_type TEXT[],
  p_reply_to TEXT[], p_metadata TEXT[], p_now BIGINT[], p_event_id TEXT[], p_json_head TEXT[],
  p_json_tail TEXT[], p_channel TEXT, p_lock BOOLEAN)
RETURNS TABLE (is_member BOOLEAN, is_blocked BOOLEAN, reply_found BOOLEAN, new_seq BIGINT,
  old_version BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
  n INTEGER := coalesce(array_length(p_conversation, 1), 0);
  members BOOLEAN[] := '{}';
  blocked BOOLEAN[] := '{}';
  replies BOOLEAN[] := '{}';
  seqs BIGINT[] := '{}';
  versions BIGINT[] := '{}';
  conv RECORD;
  v_seq BIGINT;
  v_version BIGINT;
  v_pos BIGINT;
  v_notice TEXT;
  v_locked BOOLEAN := NOT p_lock;
BEGIN
  FOR i IN 1..n LOOP
    PERFORM 1 FROM conversations WHERE id = p_conversation[i] FOR NO KEY UPDATE;
    SELECT c.type, c.direct_low, c.direct_high INTO conv
      FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.conversation_id = p_conversation[i] AND m.agent_id = p_author[i];
    members[i] := FOUND;
    blocked[i] := false;
    replies[i] := FOUND;
    CONTINUE WHEN NOT FOUND;
    IF conv.type = 'direct' THEN
      blocked[i] := EXISTS (SELECT 1 FROM blocks WHERE type = 'agent'
          AND ((blocker_id = conv.direct_low AND target_id = conv.direct_high)
            OR (blocker_id = conv.direct_high AND target_id = conv.direct_low)))
        OR EXISTS (SELECT 1 FROM blocks WHERE type = 'conversation'
          AND target_id = p_conversation[i] AND blocker_id IN (conv.direct_low, conv.direct_high));
    END IF;
    IF p_reply_to[i] IS NOT NULL THEN
      replies[i] := EXISTS (SELECT 1 FROM messages WHERE id = p_reply_to[i]
        AND conversation_id = p_conversation[i]);
    END IF;
    CONTINUE WHEN blocked[i] OR NOT replies[i];
    UPDATE conversations
      SET next_seq = next_seq + 1, last_message_at = p_now[i], activity_at = p_now[i]
      WHERE id = p_conversation[i]
      RETURNING next_seq - 1, messages_version INTO v_seq, v_version;
    INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
        reply_to_id, metadata, created_at, edited_at, deleted_at)
      VALUES (p_id[i], p_conversation[i], v_seq, p_author[i], p_content[i], p_content_type[i],
        p_reply_to[i], p_metadata[i], p_now[i], NULL, NULL);
    seqs[i] := v_seq;
    versions[i] := v_version;
  END LOOP;

  FOR i IN 1..n LOOP
    CONTINUE WHEN seqs[i] IS NULL;
    IF NOT v_locked THEN
      PERFORM pg_advisory_xact_lock(7391, hashtext(current_schema()));
      v_locked := true;
    END IF;
    INSERT INTO events (id, type, conversation_id, created_at, data)
      VALUES (p_event_id[i], 'message.created', p_conversation[i], p_now[i],
        p_json_head[i] || seqs[i]::TEXT || p_json_tail[i])
      RETURNING pos INTO v_pos;
    WITH r AS (
      INSERT INTO event_recipients (agent_id, pos)
        SELECT m.agent_id, v_pos FROM conversation_members m
        WHERE m.conversation_id = p_conversation[i]
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.agent_id
            AND ((b.type = 'conversation' AND b.target_id = p_conversation[i])
              OR (b.type = 'agent' AND b.target_id = p_author[i])))
        RETURNING agent_id)
    SELECT string_agg(agent_id, ',') INTO v_notice FROM r;
    IF v_notice IS NOT NULL THEN
      PERFORM pg_notify(p_channel, CASE WHEN length(v_notice) > 7000 THEN '*' ELSE v_notice END);
    END IF;
  END LOOP;

  RETURN QUERY SELECT members[i], blocked[i], replies[i], seqs[i], versions[i]
    FROM generate_series(1, n) AS k(i) ORDER BY k.i;
END
$$;
