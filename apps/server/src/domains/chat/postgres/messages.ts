import { sessionRefusal } from "../../../platform/auth/middleware.js";
import type { DeferredSession } from "../../../platform/env.js";
import { type PgDatabase, parseTextArray, type Query } from "../../../storage/postgres/database.js";
import { groupReads } from "../../../storage/postgres/group-reads.js";
import type { SessionState } from "../../auth/store.js";
import { pgEvents } from "../../events/postgres-store.js";
import { MessageTails, type TailEntry } from "../message-tail.js";
import { MESSAGE_COLUMNS, type MessageRow, NOT_BLOCKED_AUTHOR, toMessage } from "../rows.js";
import {
  type MessageAccess as Access,
  deletion,
  editedMessage,
  NOT_FOUND,
  newMessageRow,
  sendRefusal,
} from "../rules.js";
import type { MessageRecord, Outcome } from "../store.js";
import type { MessageOps } from "../store-slices.js";
import { type SendBatchOptions, sendBatcher } from "./send-batch.js";
import { viewOf } from "./sql.js";

/** The caller's membership, and the conversation's `messages_version` (see message-tail.ts). */
async function access(
  q: Query,
  caller: string,
  id: string,
): Promise<(Access & { messages_version: number }) | undefined> {
  const [row] = await q<Access & { messages_version: number }>(
    `SELECT c.type, c.direct_low, c.direct_high, c.messages_version, m.role
     FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = $1 AND m.agent_id = $2`,
    [id, caller],
  );
  return row;
}

/** What a page needs of the caller: the conversation's version and whom the caller blocked. */
interface PageAccess {
  messages_version: number;
  blocked: Set<string> | null;
}

/** The caller's session as the folded check reads it (null: no such session). */
type SessionFacts = Pick<SessionState, "agentId" | "expiresAt" | "revokedAt"> | null;

/**
 * {@link access} and the agents the caller blocked (their messages are left out of the caller's
 * pages; null when none), for several (conversation, caller, session hash) keys in one
 * statement: one row per key, with the key's position in the arrays; `messages_version` is null
 * when the caller is not a member. The caller's session row comes in the same statement (the
 * guard deferred its check here, guard.ts), so a list costs one round trip, not two.
 *
 * The keys come as one JSON array of `{ conversation, caller, session }` (database.ts, "Array keys"),
 * and each lookup is a correlated subquery or LATERAL (an index probe per key whatever the
 * planner estimates), so the prepared statement runs one cached generic plan.
 */
export const PAGE_ACCESS = `SELECT k.i::integer AS i,
    (SELECT c.messages_version FROM conversation_members m
      JOIN conversations c ON c.id = m.conversation_id
      WHERE m.conversation_id = k.conversation COLLATE "C" AND m.agent_id = k.caller COLLATE "C"
    ) AS messages_version,
    (SELECT array_agg(b.target_id) FROM blocks b WHERE b.blocker_id = k.caller COLLATE "C"
      AND b.type = 'agent') AS blocked,
    s.agent_id AS session_agent, s.expires_at AS session_expires, s.revoked_at AS session_revoked
  FROM ROWS FROM (json_to_recordset($1::json) AS (conversation text, caller text, session text))
    WITH ORDINALITY AS k(conversation, caller, session, i)
  LEFT JOIN LATERAL (SELECT t.agent_id, t.expires_at, t.revoked_at FROM sessions t
    WHERE t.id_hash = k.session COLLATE "C" OFFSET 0) s ON true`;

interface SessionColumns {
  session_agent: string | null;
  session_expires: number | null;
  session_revoked: number | null;
}

const sessionFacts = (r: SessionColumns): SessionFacts =>
  r.session_agent === null
    ? null
    : {
        agentId: r.session_agent,
        expiresAt: r.session_expires as number,
        revokedAt: r.session_revoked,
      };

/**
 * Applies the guard's session rule to what the operation's statement read of `session` (when
 * the check was deferred to it): throws the guard's 401, else marks the check made.
 */
function checkSession(
  session: DeferredSession | undefined,
  facts: SessionFacts,
  caller: string,
): void {
  if (session === undefined || session.checked) return;
  session.checked = true;
  const refused = sessionRefusal(facts, caller, session.now);
  if (refused) throw refused;
}

/** What one {@link PAGE_ACCESS} row says: the key's position, its access, its session. */
interface PageAccessRow {
  i: number;
  access: PageAccess | undefined;
  session: SessionFacts;
}

/**
 * Decodes a {@link PAGE_ACCESS} row from its text fields in column order (i, messages_version,
 * blocked, session_agent, session_expires, session_revoked), as node-pg's parsers would: integers
 * and bigints (epoch ms, versions: all below 2^53) as numbers, `blocked` with node-pg's text[]
 * parser.
 */
export function pageAccessRow(f: (string | null)[]): PageAccessRow {
  const version = f[1] as string | null;
  const blocked = f[2] as string | null;
  const agent = f[3] as string | null;
  const revoked = f[5] as string | null;
  return {
    i: Number(f[0]),
    access:
      version === null
        ? undefined
        : {
            messages_version: Number(version),
            blocked: blocked === null ? null : new Set(parseTextArray(blocked) as string[]),
          },
    session:
      agent === null
        ? null
        : {
            agentId: agent,
            expiresAt: Number(f[4]),
            revokedAt: revoked === null ? null : Number(revoked),
          },
  };
}

/**
 * The page access of each `[conversation, caller, session hash | null]` key (undefined when the
 * caller is not a member) with the session's row; concurrent list requests share one statement
 * (group reads), so a page served from the tail costs a share of one round trip. The statement
 * goes through {@link PgDatabase.queryRows} (no Describe, rows decoded by position: the send
 * batch's path, bench/README.md, PostgreSQL rounds 8 and 9).
 */
function pageAccessReader(
  db: PgDatabase,
): (
  key: [conversation: string, caller: string, session: string | null],
) => Promise<{ access: PageAccess | undefined; session: SessionFacts }> {
  return groupReads(async (keys) => {
    const found: { access: PageAccess | undefined; session: SessionFacts }[] = keys.map(() => ({
      access: undefined,
      session: null,
    }));
    const rows = await db.queryRows(
      PAGE_ACCESS,
      [
        JSON.stringify(
          keys.map(([conversation, caller, session]) => ({ conversation, caller, session })),
        ),
      ],
      pageAccessRow,
    );
    for (const row of rows) found[row.i - 1] = row;
    return found;
  });
}

/** The newest messages of a conversation, every author (a tail is shared by all members). */
const NEWEST = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1
  ORDER BY seq DESC LIMIT $2`;

const entryOf = (row: MessageRow): TailEntry => ({
  seq: row.seq,
  authorId: row.author_id,
  json: JSON.stringify(toMessage(row)),
});

/** A message of the conversation; `lock` holds its row so a concurrent edit/delete waits. */
async function messageIn(
  q: Query,
  conversation: string,
  id: string,
  lock = false,
): Promise<MessageRow | undefined> {
  const [row] = await q<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND conversation_id = $2${lock ? " FOR UPDATE" : ""}`,
    [id, conversation],
  );
  return row;
}

const SEQ_KEY = '"seq":';
/** sendRefusal only asks whether there is a membership; the function checked the rest. */
const MEMBER: Access = { type: "group", role: "member", direct_low: null, direct_high: null };

const PAGE_DESC = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @id AND seq < @seq
  AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq DESC LIMIT @limit`;
const PAGE_ASC = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @id AND seq > @seq
  AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq ASC LIMIT @limit`;

/**
 * Message and read-marker operations of the PostgreSQL chat store. Pages are picked from `tails`
 * (this instance's recent messages as JSON) while the conversation's `messages_version` still
 * matches, else read from the database.
 */
export function messageOps(
  db: PgDatabase,
  tails = new MessageTails(),
  batching?: SendBatchOptions,
): MessageOps {
  const eventsOf = pgEvents(db);
  const events = eventsOf.writer;
  const send = sendBatcher(db, eventsOf, batching);
  const pageAccess = pageAccessReader(db);
  return {
    async locateMessage(caller, conversation, message) {
      return db.read(async (q) => {
        if ((await access(q, caller, conversation)) === undefined) return NOT_FOUND;
        const row = await messageIn(q, conversation, message);
        return { ok: true, value: row === undefined ? null : { seq: row.seq } };
      });
    },

    async sendMessage(caller, conversation, input, now, session) {
      // One round trip, batched with concurrent sends (send-batch.ts): the lock, the checks, seq,
      // the row, the event and its NOTIFY in one transaction on the server side; the caller's
      // session too unless the rate counter's statement already checked it (rate-limit.ts).
      const owed = session?.checked === false ? session : undefined;
      const message = toMessage(newMessageRow(caller, conversation, input, 0, now));
      const json = JSON.stringify(message);
      // The message JSON around its seq (known only under the row lock): `seq` follows the
      // server-made ids, so its first occurrence is the key, never a user's content or metadata.
      const at = json.indexOf(SEQ_KEY) + SEQ_KEY.length;
      const row = await send({
        conversation,
        author: caller,
        id: input.id,
        content: input.content,
        contentType: input.content_type,
        replyTo: input.reply_to_id,
        metadata: input.metadata === null ? null : JSON.stringify(input.metadata),
        now,
        eventId: eventsOf.newEventId(),
        jsonHead: json.slice(0, at),
        jsonTail: json.slice(at + 1),
        session: owed?.idHash ?? null,
        sessionNow: owed?.now ?? now,
      });
      // A dead session wrote nothing (the function skipped its send): the guard's 401.
      checkSession(owed, sessionFacts(row), caller);
      const refused = sendRefusal(
        row.is_member ? MEMBER : undefined,
        row.is_blocked,
        row.reply_found,
      );
      if (refused) return refused;
      if (row.new_seq === null || row.old_version === null) return NOT_FOUND;
      const seq = row.new_seq;
      message.seq = seq;
      // Committed: extend this instance's tail (the insert moved the version from old_version).
      tails.append(conversation, row.old_version, seq, caller, () => JSON.stringify(message));
      return { ok: true, value: message };
    },

    async listMessages(caller, conversation, window, limit, session) {
      // Not when the rate counter's statement already checked it (rate-limit.ts).
      const owed = session?.checked === false ? session : undefined;
      const read = await pageAccess([conversation, caller, owed?.idHash ?? null]);
      checkSession(owed, read.session, caller);
      const a = read.access;
      if (a === undefined) return NOT_FOUND;
      const { messages_version: version, blocked } = a;
      let page = tails.page(conversation, version, window, limit, blocked);
      if (page === undefined && !tails.isCurrent(conversation, version)) {
        // Read after the version: rows at least as new as it, so the tail can only be stale
        // (the version moved on), never hold less than the version promises.
        const newest = await db.query<MessageRow>(NEWEST, [conversation, tails.fillSize]);
        tails.store(conversation, version, newest.map(entryOf));
        page = tails.page(conversation, version, window, limit, blocked);
      }
      if (page !== undefined) return { ok: true, value: page };
      const asc = window.direction === "asc";
      const rows = await db.query<MessageRow>(asc ? PAGE_ASC : PAGE_DESC, {
        id: conversation,
        caller,
        seq: window.seq ?? (asc ? 0 : Number.MAX_SAFE_INTEGER),
        limit: limit + 1,
      });
      const rowsOfPage = rows.slice(0, limit);
      const next = rows.length > limit ? (rowsOfPage.at(-1)?.seq ?? null) : null;
      return { ok: true, value: { json: JSON.stringify(rowsOfPage.map(toMessage)), next } };
    },

    async getMessage(caller, conversation, message) {
      return db.read(async (q) => {
        if ((await access(q, caller, conversation)) === undefined) return NOT_FOUND;
        const [row] = await q<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = @id AND conversation_id = @conversation
             AND ${NOT_BLOCKED_AUTHOR}`,
          { id: message, conversation, caller },
        );
        return row === undefined ? NOT_FOUND : { ok: true, value: toMessage(row) };
      });
    },

    async editMessage(caller, conversation, message, edit, now) {
      return db.tx(async (q): Promise<Outcome<MessageRecord>> => {
        if ((await access(q, caller, conversation)) === undefined) return NOT_FOUND;
        const row = await messageIn(q, conversation, message, true);
        const edited = editedMessage(row, caller, edit, now);
        if (!edited.ok) return edited;
        const next = edited.value;
        await q(
          `UPDATE messages SET content = $2, metadata = $3, edited_at = $4
           WHERE id = $1 AND deleted_at IS NULL`,
          [next.id, next.content, next.metadata, next.edited_at],
        );
        const updated = toMessage(next);
        await events.toMembers(q, {
          type: "message.updated",
          conversationId: conversation,
          data: updated,
          now,
          authorId: next.author_id,
        });
        return { ok: true, value: updated };
      });
    },

    async deleteMessage(caller, conversation, message, now) {
      return db.tx(async (q): Promise<Outcome<MessageRecord>> => {
        const a = await access(q, caller, conversation);
        if (a === undefined) return NOT_FOUND;
        const row = await messageIn(q, conversation, message, true);
        const d = deletion(row, caller, a, now);
        if (!d.ok) return d;
        const tomb = d.value.row;
        if (!d.value.changed) return { ok: true, value: toMessage(tomb) };
        await q(
          "UPDATE messages SET content = NULL, metadata = NULL, deleted_at = $2 WHERE id = $1",
          [tomb.id, now],
        );
        const tombstone = toMessage(tomb);
        await events.toMembers(q, {
          type: "message.deleted",
          conversationId: conversation,
          data: tombstone,
          now,
          authorId: tomb.author_id,
        });
        return { ok: true, value: tombstone };
      });
    },

    async markRead(caller, conversation, message) {
      return db.tx(async (q) => {
        if ((await access(q, caller, conversation)) === undefined) return NOT_FOUND;
        const row = await messageIn(q, conversation, message);
        if (row === undefined) return NOT_FOUND;
        // Only ever moves forward, whichever instance answers first.
        const moved = await q(
          `UPDATE conversation_members SET last_read_seq = $1, last_read_message_id = $2
           WHERE conversation_id = $3 AND agent_id = $4 AND last_read_seq < $1 RETURNING 1`,
          [row.seq, row.id, conversation, caller],
        );
        const view = await viewOf(q, caller, conversation);
        if (view === undefined) throw new Error("member vanished in its own transaction");
        const { last_read_message_id, unread_count } = view;
        if (moved.length > 0) {
          await events.toAgent(q, caller, {
            type: "read.updated",
            conversationId: conversation,
            data: { last_read_message_id, unread_count },
            now: Date.now(),
          });
        }
        return { ok: true, value: { last_read_message_id, unread_count } } as const;
      });
    },
  };
}
