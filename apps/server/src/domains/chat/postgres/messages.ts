import type { PgDatabase, Query } from "../../../storage/postgres/database.js";
import { pgEvents } from "../../events/postgres-store.js";
import { MessageTails, type TailEntry } from "../message-tail.js";
import { MESSAGE_COLUMNS, type MessageRow, NOT_BLOCKED_AUTHOR, toMessage } from "../rows.js";
import {
  type MessageAccess as Access,
  deletion,
  editedMessage,
  NOT_FOUND,
  newMessageRow,
  sendNeedsBlockCheck,
  sendRefusal,
} from "../rules.js";
import type { MessageRecord, Outcome } from "../store.js";
import type { MessageOps } from "../store-slices.js";
import { agentsBlockEitherWay, viewOf } from "./sql.js";

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

/** Agents `caller` blocked (their messages are left out of the caller's pages), or null. */
async function blockedAgents(q: Query, caller: string): Promise<Set<string> | null> {
  const rows = await q<{ target_id: string }>(
    "SELECT target_id FROM blocks WHERE blocker_id = $1 AND type = 'agent'",
    [caller],
  );
  return rows.length === 0 ? null : new Set(rows.map((r) => r.target_id));
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

/** A block on a direct conversation either way: agent blocks between the pair, or a conversation block. */
async function directBlocked(q: Query, id: string, a: Access): Promise<boolean> {
  const low = a.direct_low ?? "";
  const high = a.direct_high ?? "";
  if (await agentsBlockEitherWay(q, low, high)) return true;
  const rows = await q(
    `SELECT 1 FROM blocks WHERE type = 'conversation' AND target_id = $1
     AND blocker_id IN ($2, $3) LIMIT 1`,
    [id, low, high],
  );
  return rows.length > 0;
}

const PAGE_DESC = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @id AND seq < @seq
  AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq DESC LIMIT @limit`;
const PAGE_ASC = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @id AND seq > @seq
  AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq ASC LIMIT @limit`;

/**
 * Message and read-marker operations of the PostgreSQL chat store. Pages are picked from `tails`
 * (this instance's recent messages as JSON) while the conversation's `messages_version` still
 * matches, else read from the database.
 */
export function messageOps(db: PgDatabase, tails = new MessageTails()): MessageOps {
  const events = pgEvents(db).writer;
  return {
    async locateMessage(caller, conversation, message) {
      return db.read(async (q) => {
        if ((await access(q, caller, conversation)) === undefined) return NOT_FOUND;
        const row = await messageIn(q, conversation, message);
        return { ok: true, value: row === undefined ? null : { seq: row.seq } };
      });
    },

    async sendMessage(caller, conversation, input, now) {
      let appended: (() => void) | undefined;
      const sent = await db.tx(async (q): Promise<Outcome<MessageRecord>> => {
        appended = undefined;
        const a = await access(q, caller, conversation);
        const refused = sendRefusal(
          a,
          sendNeedsBlockCheck(a) && (await directBlocked(q, conversation, a as Access)),
          input.reply_to_id === null ||
            (await messageIn(q, conversation, input.reply_to_id)) !== undefined,
        );
        if (refused) return refused;
        // The row lock taken by the UPDATE serialises senders of one conversation across every
        // instance until commit; a rollback undoes the bump, so seq stays gap-free. Bump and
        // insert are one statement: the lock is held for one round trip less.
        const metadata = input.metadata === null ? null : JSON.stringify(input.metadata);
        // `version` is read under the row lock, before the insert's trigger bumps it: exact.
        const [inserted] = await q<{ seq: number; version: number }>(
          `WITH bumped AS (
             UPDATE conversations SET next_seq = next_seq + 1, last_message_at = $3,
               activity_at = $3 WHERE id = $2
             RETURNING next_seq - 1 AS seq, messages_version AS version)
           INSERT INTO messages (${MESSAGE_COLUMNS})
           SELECT $1, $2, bumped.seq, $4, $5, $6, $7, $8, $3, NULL, NULL FROM bumped
           RETURNING seq, (SELECT version FROM bumped) AS version`,
          [
            input.id,
            conversation,
            now,
            caller,
            input.content,
            input.content_type,
            input.reply_to_id,
            metadata,
          ],
        );
        if (inserted === undefined) return NOT_FOUND;
        const row = newMessageRow(caller, conversation, input, inserted.seq, now);
        const message = toMessage(row);
        await events.toMembers(q, {
          type: "message.created",
          conversationId: conversation,
          data: message,
          now,
          authorId: caller,
        });
        const { seq, version } = inserted;
        appended = () =>
          tails.append(conversation, version, seq, caller, () => JSON.stringify(message));
        return { ok: true, value: message };
      });
      // Committed (db.tx retried any serialization failure): extend this instance's tail.
      if (sent.ok) appended?.();
      return sent;
    },

    async listMessages(caller, conversation, window, limit) {
      return db.read(async (q) => {
        const a = await access(q, caller, conversation);
        if (a === undefined) return NOT_FOUND;
        const version = a.messages_version;
        const blocked = await blockedAgents(q, caller);
        let page = tails.page(conversation, version, window, limit, blocked);
        if (page === undefined && !tails.isCurrent(conversation, version)) {
          // Read after the version: rows at least as new as it, so the tail can only be stale
          // (the version moved on), never hold less than the version promises.
          const newest = await q<MessageRow>(NEWEST, [conversation, tails.fillSize]);
          tails.store(conversation, version, newest.map(entryOf));
          page = tails.page(conversation, version, window, limit, blocked);
        }
        if (page !== undefined) return { ok: true, value: page };
        const asc = window.direction === "asc";
        const rows = await q<MessageRow>(asc ? PAGE_ASC : PAGE_DESC, {
          id: conversation,
          caller,
          seq: window.seq ?? (asc ? 0 : Number.MAX_SAFE_INTEGER),
          limit: limit + 1,
        });
        const rowsOfPage = rows.slice(0, limit);
        const next = rows.length > limit ? (rowsOfPage.at(-1)?.seq ?? null) : null;
        return { ok: true, value: { json: JSON.stringify(rowsOfPage.map(toMessage)), next } };
      });
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
