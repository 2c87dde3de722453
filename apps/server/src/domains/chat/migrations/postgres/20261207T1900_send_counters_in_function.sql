-- The send batch's counters kept by `fluxra_send_messages` itself (issue 18, PostgreSQL round 7).
-- Callgrind of one batch-1 call (bench/README.md, "PostgreSQL round 7"): a third of its
-- instructions went to the message insert's statement trigger (20261207T0930), whose two
-- statements read the transition table through hash aggregates, a join and a subquery scan,
-- each started up on every call. The function already knows what those aggregates compute:
-- per conversation run, the sends it wrote, their seqs (consecutive, from next_seq), authors and
-- times. So, with the same signature, results and guarantees:
--
-- - per conversation with a send written, one statement (step 3b) moves next_seq,
--   messages_version and the activity columns, adds the members' unread counts and the bucket
--   counts, from those values (no aggregate: the (author, bucket) rows are summed in the loop);
-- - the trigger still counts every other insert of messages; for the length of the send's own
--   INSERT a transaction-local setting (`fluxra.send_counted`) tells it the rows are counted;
-- - the position lock and the NOTIFY are plain assignments (a simple expression) rather than
--   PERFORM (a query with executor start-up each).

CREATE OR REPLACE FUNCTION fluxra_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- fluxra_send_messages keeps these counters itself (20261207T1900) and says so for the length
  -- of its INSERT; any other insert is counted here.
  IF current_setting('fluxra.send_counted', true) = 'on' THEN
    RETURN NULL;
  END IF;
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
  v_void TEXT;
  v_at BIGINT;
  w_author TEXT[];
  w_seq BIGINT[];
  ca_author TEXT[];
  ca_bucket BIGINT[];
  ca_n INTEGER[];
  v_found BOOLEAN;
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
      v_at := NULL;
      w_author := '{}';
      w_seq := '{}';
      ca_author := '{}';
      ca_bucket := '{}';
      ca_n := '{}';
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
        -- What the insert trigger would count for this send: its time, its author and seq (the
        -- members' unread counts), its (author, bucket) counter row.
        v_at := greatest(v_at, p_now[i]);
        w_author := w_author || p_author[i];
        w_seq := w_seq || v_seq;
        v_found := false;
        FOR j IN 1..cardinality(ca_author) LOOP
          IF ca_author[j] = p_author[i] AND ca_bucket[j] = v_seq / 1024 THEN
            ca_n[j] := ca_n[j] + 1;
            v_found := true;
            EXIT;
          END IF;
        END LOOP;
        IF NOT v_found THEN
          ca_author := ca_author || p_author[i];
          ca_bucket := ca_bucket || v_seq / 1024;
          ca_n := ca_n || 1;
        END IF;
        v_seq := v_seq + 1;
        v_version := v_version + 1;
        v_written := true;
      END LOOP;
      -- 3b. This conversation's counters, in one statement (what the insert trigger of
      --     20261207T0930 does per statement, for this run's sends, from the values at hand: no
      --     transition table, no aggregate). The row is already locked; seqs [conv.next_seq,
      --     v_seq) are consecutive, so each bucket's share is a difference of two bounds. Each
      --     member's count gains the sends after its marker that are not its own and not by an
      --     author it blocks, the condition in the UPDATE's own WHERE / SET as in the trigger.
      IF v_seq > conv.next_seq THEN
        WITH c AS (
          UPDATE conversations c
            SET messages_version = c.messages_version + (v_seq - conv.next_seq),
              next_seq = greatest(c.next_seq, v_seq),
              last_message_at = greatest(coalesce(c.last_message_at, v_at), v_at),
              activity_at = greatest(c.activity_at, v_at)
            WHERE c.id = p_conversation[run_start]
        ), u AS (
          UPDATE conversation_members m
            SET unread_count = m.unread_count + (SELECT count(*)
              FROM unnest(w_author, w_seq) AS r(author, seq)
              WHERE r.author COLLATE "C" <> m.agent_id AND r.seq > m.last_read_seq
                AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.type = 'agent'
                  AND b.blocker_id = m.agent_id AND b.target_id = r.author COLLATE "C"))::integer
            WHERE m.conversation_id = p_conversation[run_start]
              AND EXISTS (SELECT 1 FROM unnest(w_author, w_seq) AS r(author, seq)
                WHERE r.author COLLATE "C" <> m.agent_id AND r.seq > m.last_read_seq
                  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.type = 'agent'
                    AND b.blocker_id = m.agent_id AND b.target_id = r.author COLLATE "C"))
        ), k AS (
          INSERT INTO message_counts AS t (conversation_id, bucket, live)
            SELECT p_conversation[run_start], g.bucket,
                least(v_seq - 1, g.bucket * 1024 + 1023) - greatest(conv.next_seq, g.bucket * 1024) + 1
              FROM generate_series(conv.next_seq / 1024, (v_seq - 1) / 1024) AS g(bucket)
            ON CONFLICT (conversation_id, bucket) DO UPDATE SET live = t.live + EXCLUDED.live
        )
        INSERT INTO message_author_counts AS t (conversation_id, author_id, bucket, live)
          SELECT p_conversation[run_start], a.author, a.bucket, a.n
            FROM unnest(ca_author, ca_bucket, ca_n) AS a(author, bucket, n)
          ON CONFLICT (conversation_id, author_id, bucket) DO UPDATE SET live = t.live + EXCLUDED.live;
      END IF;
    END IF;
    run_start := run_end + 1;
  END LOOP;

  IF v_written THEN
    -- 4. Every message row of the batch in one statement, in the order given (its trigger
    --    moves next_seq, the activity columns and the counters, once per conversation).
    --    The insert trigger skips what step 3b counted (the setting lasts for this statement).
    v_void := set_config('fluxra.send_counted', 'on', true);
    INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
        reply_to_id, metadata, created_at, edited_at, deleted_at)
      SELECT p_id[k], p_conversation[k], seqs[k], p_author[k], p_content[k], p_content_type[k],
        p_reply_to[k], p_metadata[k], p_now[k], NULL, NULL
      FROM generate_series(1, n) AS k WHERE seqs[k] IS NOT NULL ORDER BY k;
    v_void := set_config('fluxra.send_counted', 'off', true);
    -- 5. After every row lock: the events' position lock (events/postgres-store.ts; `p_lock` is
    --    false only for the bench switch that measures its cost), each written message's
    --    `message.created` event in the order of the sends (positions are drawn as the rows are
    --    inserted, in that order), their recipients (the rule of events/rules.ts RECIPIENTS_SQL;
    --    `OFFSET 0` keeps the members a per-event primary-key lookup whatever the planner
    --    guesses of the arrays), and one NOTIFY naming every recipient of the batch (delivered
    --    on COMMIT, never on rollback).
    IF p_lock THEN
      v_void := pg_advisory_xact_lock(7391, hashtext(current_schema()))::TEXT;
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
      v_void := pg_notify(p_channel,
        CASE WHEN length(v_notice) > 7000 THEN '*' ELSE v_notice END)::TEXT;
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
