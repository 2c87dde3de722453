-- The conversations' and members' CHECK constraints, enforced by BEFORE triggers on the columns
-- they read instead (issue 18, PostgreSQL round 7). PostgreSQL evaluates every CHECK constraint
-- of a table on every UPDATE of it, whatever columns the UPDATE sets, and rebuilds each from its
-- stored text first (parse, constant folding, expression set-up) once per statement. Every send
-- updates its conversation row (next_seq, messages_version, activity) and the other members'
-- unread counts, so each call paid for four constraints on columns it never sets: ~150 k
-- instructions per call, ~8 % of a one-send batch (callgrind, bench/README.md "PostgreSQL
-- round 7"). A trigger `UPDATE OF` those columns fires only when a statement sets one of them.
--
-- Same rules, same refusal (SQLSTATE 23514 check_violation), on every INSERT and on every UPDATE
-- that sets a column they read: conversations' type is 'direct' or 'group', a direct one has both
-- (ordered) ends of its pair and a group neither; a member's role is owner, admin or member. As
-- with a CHECK, a rule whose value is unknown (NULL) passes.
CREATE FUNCTION fluxra_conversations_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (NEW.type IN ('direct', 'group'))
      OR NOT ((NEW.type = 'direct') = (NEW.direct_low IS NOT NULL AND NEW.direct_high IS NOT NULL))
      OR NOT (NEW.direct_low IS NULL OR NEW.direct_low < NEW.direct_high) THEN
    RAISE EXCEPTION 'new row for relation "conversations" violates its type / direct pair rule'
      USING ERRCODE = 'check_violation', TABLE = 'conversations';
  END IF;
  RETURN NEW;
END
$$;

CREATE FUNCTION fluxra_members_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (NEW.role IN ('owner', 'admin', 'member')) THEN
    RAISE EXCEPTION 'new row for relation "conversation_members" violates its role rule'
      USING ERRCODE = 'check_violation', TABLE = 'conversation_members';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER conversations_checked BEFORE INSERT OR UPDATE OF type, direct_low, direct_high
  ON conversations FOR EACH ROW EXECUTE FUNCTION fluxra_conversations_checked();
CREATE TRIGGER conversation_members_checked BEFORE INSERT OR UPDATE OF role
  ON conversation_members FOR EACH ROW EXECUTE FUNCTION fluxra_members_checked();

-- The CHECK constraints themselves (named as PostgreSQL named them in 20261130T0200_chat).
ALTER TABLE conversations DROP CONSTRAINT conversations_type_check,
  DROP CONSTRAINT conversations_check, DROP CONSTRAINT conversations_check1;
ALTER TABLE conversation_members DROP CONSTRAINT conversation_members_role_check;
