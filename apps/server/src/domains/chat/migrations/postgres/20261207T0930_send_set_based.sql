-- Sends cost PostgreSQL per batch what they cost per message before. 20261207T0400 batched sends
-- into one call, but ran each send as a dozen statements inside it (lock, membership, seq bump,
-- insert, then per inserted row three AFTER triggers: bucket counts, messages_version, unread
-- counts; then event, recipients, NOTIFY), and in plpgsql every statement pays executor start-up
-- (an UPDATE of `conversations` also re-reads its three CHECK constraints) and a snapshot, and
-- every update a new row version: the conversation row twice per send, its activity index
-- included. With the backends at ~225 µs of CPU per send against SQLite's whole 105 µs, the
-- database's CPU, not the WAL flush, bounded the send rate (bench/README.md).
--
-- 1. A message INSERT keeps its counters in one statement-level trigger (transition table
--    `new_rows`) instead of three row-level ones: the same effects summed per conversation,
--    bucket, author and member, so a statement inserting n messages writes each counter row
--    once. As on SQLite (20261207T0800), that trigger also moves `next_seq` past the new seqs
--    and `last_message_at` / `activity_at` up to the messages' time, in the same UPDATE as
--    `messages_version`: one UPDATE of the conversation row per statement. `greatest()` keeps
--    every column monotonic whoever inserts; seq stays gap-free because only the send picks it,
--    under the row lock, and UNIQUE (conversation_id, seq) refuses a duplicate.
--    Tombstones and edits (UPDATE) and deletes keep the row-level triggers of the earlier
--    migrations (a transition table cannot be declared on `UPDATE OF deleted_at`).
-- 2. `fluxra_send_messages` takes each conversation's sends together: one statement locks the
--    row and reads next_seq and messages_version, one reads which authors are members (plus the
--    block check of a direct conversation and the reply_to lookup, only when needed); seqs are
--    counted in the function; then one INSERT of every message of the batch, one of every event,
--    one of every recipient, and one NOTIFY naming every recipient of the batch.
-- Same signature, results and guarantees as 20261207T0400 (see there): row locks in id order,
-- seq gap-free in the order given, refusals per send, the position lock after the row locks,
-- events in the order of their messages.

-- Row-level triggers now only for UPDATE / DELETE (their functions' INSERT branches go unused).
DROP TRIGGER messages_count_live ON messages;
CREATE TRIGGER messages_count_live AFTER UPDATE OF deleted_at ON messages
  FOR EACH ROW EXECUTE FUNCTION fluxra_count_live_messages();
DROP TRIGGER messages_unread ON messages;
CREATE TRIGGER messages_unread AFTER UPDATE OF deleted_at ON messages
  FOR EACH ROW EXECUTE FUNCTION fluxra_unread_on_message();
DROP TRIGGER messages_version ON messages;
CREATE TRIGGER messages_version AFTER UPDATE OR DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION fluxra_bump_messages_version();

-- What the three row-level INSERT branches did, per statement, plus the conversation columns a
-- send used to bump itself. The conversation UPDATE comes first: it holds each row (a send
-- already does, from its lock in id order), which is what the unread branch's lock was for (see
-- 20261207T0000). Each member's count gains the live messages after its marker that are not its
-- own and not by an author it blocks; the condition sits in the UPDATE's own WHERE / SET (not a
-- precomputed join), so a member row changed concurrently is re-checked against its newest
-- version, as the row-level UPDATE was.
CREATE FUNCTION fluxra_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversations c SET messages_version = c.messages_version + g.n,
      next_seq = greatest(c.next_seq, g.max_seq + 1),
      last_message_at = greatest(coalesce(c.last_message_at, g.at), g.at),
      activity_at = greatest(c.activity_at, g.at)
    FROM (SELECT conversation_id, count(*) AS n, max(seq) AS max_seq, max(created_at) AS at
          FROM new_rows GROUP BY conversation_id) g
    WHERE c.id = g.conversation_id;
  -- Then the members' counts and the bucket counts, in one statement (they touch different
  -- tables; each part is what the row-level branch did, summed).
  WITH unread AS (
    UPDATE conversation_members m
      SET unread_count = m.unread_count + (SELECT count(*) FROM new_rows r
        WHERE r.conversation_id = m.conversation_id AND r.deleted_at IS NULL
          AND r.author_id <> m.agent_id AND r.seq > m.last_read_seq
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.type = 'agent'
            AND b.blocker_id = m.agent_id AND b.target_id = r.author_id))::integer
      WHERE m.conversation_id IN (SELECT conversation_id FROM new_rows WHERE deleted_at IS NULL)
        AND EXISTS (SELECT 1 FROM new_rows r
          WHERE r.conversation_id = m.conversation_id AND r.deleted_at IS NULL
            AND r.author_id <> m.agent_id AND r.seq > m.last_read_seq
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.type = 'agent'
              AND b.blocker_id = m.agent_id AND b.target_id = r.author_id))
  ), buckets AS (
    INSERT INTO message_counts AS t (conversation_id, bucket, live)
      SELECT conversation_id, seq / 1024, count(*) FROM new_rows WHERE deleted_at IS NULL
        GROUP BY conversation_id, seq / 1024
      ON CONFLICT (conversation_id, bucket) DO UPDATE SET live = t.live + EXCLUDED.live
  )
  INSERT INTO message_author_counts AS t (conversation_id, author_id, bucket, live)
    SELECT conversation_id, author_id, seq / 1024, count(*) FROM new_rows
      WHERE deleted_at IS NULL GROUP BY conversation_id, author_id, seq / 1024
    ON CONFLICT (conversation_id, author_id, bucket) DO UPDATE SET live = t.live + EXCLUDED.live;
  RETURN NULL;
END
$$;

CREATE TRIGGER messages_inserted AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION fluxra_messages_inserted();

CREATE OR REPLACE FUNCTION fluxra_send_messages(
  p_conversation TEXT[], p_author TEXT[], p_id TEXT[], p_content TEXT[], p_content_type TEXT[],
  p_reply_to TEXT[], p_metadata TEXT[], p_now BIGINT[], p_event_id TEXT[], p_json_head TEXT[],
  p_json_tail TEXT[], p_channel TEXT, p_lock BOOLEAN)
RETURNS TABLE (is_member BOOLEAN, is_blocked BOOLEAN, reply_found BOOLEAN, new_seq BIGINT,
  old_version BIGINT)
LANGUAGE plpgsql
-- Plan each statement once per connection: with the arrays' lengths known, the planner's custom
-- plans look cheaper than the generic one, so the default (auto) re-planned every statement on
-- every call (a fifth of the backend's CPU at one send per call). Every statement here is an
-- index lookup or an insert from the arrays whatever their length.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  n INTEGER := coalesce(array_length(p_conversation, 1), 0);
  members BOOLEAN[] := array_fill(false, ARRAY[n]);
  blocked BOOLEAN[] := array_fill(false, ARRAY[n]);
  replies BOOLEAN[] := array_fill(false, ARRAY[n]);
  seqs BIGINT[] := array_fill(NULL::BIGINT, ARRAY[n]);
  versions BIGINT[] := array_fill(NULL::BIGINT, ARRAY[n]);
  v_written BOOLEAN := false;
  run_start INTEGER := 1;
  run_end INTEGER;
  conv RECORD;
  v_members TEXT[];
  v_replies TEXT[];
  v_blocked BOOLEAN;
  v_seq BIGINT;
  v_version BIGINT;
  v_notice TEXT;
BEGIN
  -- Per run of one conversation's sends (the caller sorts the sends by conversation, so row
  -- locks are taken in id order; a conversation met again after its run is refused as a caller
  -- bug, since its seqs were already counted).
  WHILE run_start <= n LOOP
    run_end := run_start;
    WHILE run_end < n AND p_conversation[run_end + 1] = p_conversation[run_start] LOOP
      run_end := run_end + 1;
    END LOOP;
    IF p_conversation[run_start] = ANY (p_conversation[1:run_start - 1]) THEN
      RAISE EXCEPTION 'fluxra_send_messages: sends are not grouped by conversation';
    END IF;
    -- 1. Lock the conversation row (FOR NO KEY UPDATE, the seq bump's level) and read what the
    --    sends need. Member changes lock the row FOR UPDATE and a block share-locks it, so the
    --    checks below read membership and blocks that cannot change before COMMIT.
    SELECT c.type, c.direct_low, c.direct_high, c.next_seq, c.messages_version INTO conv
      FROM conversations c WHERE c.id = p_conversation[run_start] FOR NO KEY UPDATE;
    IF FOUND THEN
      -- 2. The facts the refusal rule needs (chat/rules.ts sendRefusal decides in the caller).
      SELECT array_agg(m.agent_id) INTO v_members FROM conversation_members m
        WHERE m.conversation_id = p_conversation[run_start]
          AND m.agent_id = ANY (p_author[run_start:run_end]);
      v_blocked := false;
      IF conv.type = 'direct' THEN
        v_blocked := EXISTS (SELECT 1 FROM blocks b WHERE b.type = 'agent'
            AND ((b.blocker_id = conv.direct_low AND b.target_id = conv.direct_high)
              OR (b.blocker_id = conv.direct_high AND b.target_id = conv.direct_low)))
          OR EXISTS (SELECT 1 FROM blocks b WHERE b.type = 'conversation'
            AND b.target_id = p_conversation[run_start]
            AND b.blocker_id IN (conv.direct_low, conv.direct_high));
      END IF;
      v_replies := NULL;
      IF array_remove(p_reply_to[run_start:run_end], NULL) <> '{}' THEN
        SELECT array_agg(r.id) INTO v_replies FROM messages r
          WHERE r.id = ANY (p_reply_to[run_start:run_end])
            AND r.conversation_id = p_conversation[run_start];
      END IF;
      -- 3. Seqs in the order given, gap-free (a rolled-back batch writes none of them), and
      --    the version each send finds before its insert (the insert trigger adds one per row).
      v_seq := conv.next_seq;
      v_version := conv.messages_version;
      FOR i IN run_start..run_end LOOP
        members[i] := coalesce(p_author[i] = ANY (v_members), false);
        CONTINUE WHEN NOT members[i];
        blocked[i] := v_blocked;
        -- reply_to: a message of this conversation, or one accepted earlier in this batch (as
        -- when each send ran its checks after the previous one's insert).
        replies[i] := p_reply_to[i] IS NULL OR coalesce(p_reply_to[i] = ANY (v_replies), false);
        IF NOT replies[i] THEN
          FOR j IN run_start..i - 1 LOOP
            IF seqs[j] IS NOT NULL AND p_id[j] = p_reply_to[i] THEN
              replies[i] := true;
            END IF;
          END LOOP;
        END IF;
        CONTINUE WHEN blocked[i] OR NOT replies[i];
        seqs[i] := v_seq;
        versions[i] := v_version;
        v_seq := v_seq + 1;
        v_version := v_version + 1;
        v_written := true;
      END LOOP;
    END IF;
    run_start := run_end + 1;
  END LOOP;

  IF v_written THEN
    -- 4. Every message row of the batch in one statement, in the order given (its trigger
    --    moves next_seq, the activity columns and the counters, once per conversation).
    INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
        reply_to_id, metadata, created_at, edited_at, deleted_at)
      SELECT p_id[k], p_conversation[k], seqs[k], p_author[k], p_content[k], p_content_type[k],
        p_reply_to[k], p_metadata[k], p_now[k], NULL, NULL
      FROM generate_series(1, n) AS k WHERE seqs[k] IS NOT NULL ORDER BY k;
    -- 5. After every row lock: the events' position lock (events/postgres-store.ts; `p_lock` is
    --    false only for the bench switch that measures its cost), each written message's
    --    `message.created` event in the order of the sends (positions are drawn as the rows are
    --    inserted, in that order), their recipients (the rule of events/rules.ts RECIPIENTS_SQL;
    --    `OFFSET 0` keeps the members a per-event primary-key lookup whatever the planner
    --    guesses of the arrays), and one NOTIFY naming every recipient of the batch (delivered
    --    on COMMIT, never on rollback).
    IF p_lock THEN
      PERFORM pg_advisory_xact_lock(7391, hashtext(current_schema()));
    END IF;
    WITH e AS (
      INSERT INTO events (id, type, conversation_id, created_at, data)
        SELECT p_event_id[k], 'message.created', p_conversation[k], p_now[k],
          p_json_head[k] || seqs[k]::TEXT || p_json_tail[k]
        FROM generate_series(1, n) AS k WHERE seqs[k] IS NOT NULL ORDER BY k
        RETURNING pos, id, conversation_id
    ), r AS (
      INSERT INTO event_recipients (agent_id, pos)
        SELECT m.agent_id, e.pos
        FROM e JOIN unnest(p_event_id, p_author) AS w(event_id, author) ON w.event_id = e.id,
          LATERAL (SELECT cm.agent_id FROM conversation_members cm
            WHERE cm.conversation_id = e.conversation_id
              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = cm.agent_id
                AND ((b.type = 'conversation' AND b.target_id = e.conversation_id)
                  OR (b.type = 'agent' AND b.target_id = w.author COLLATE "C")))
            OFFSET 0) m
        RETURNING agent_id)
    SELECT string_agg(DISTINCT r.agent_id, ',') INTO v_notice FROM r;
    IF v_notice IS NOT NULL THEN
      PERFORM pg_notify(p_channel, CASE WHEN length(v_notice) > 7000 THEN '*' ELSE v_notice END);
    END IF;
  END IF;

  -- One row per send, in the order given (assignments and RETURN NEXT: no statement to plan).
  FOR i IN 1..n LOOP
    is_member := members[i];
    is_blocked := blocked[i];
    reply_found := replies[i];
    new_seq := seqs[i];
    old_version := versions[i];
    RETURN NEXT;
  END LOOP;
END
$$;
