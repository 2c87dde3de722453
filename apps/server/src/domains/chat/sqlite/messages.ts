import { sqliteEvents } from "../../events/sqlite-store.js";
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
import { viewOf } from "./conversations.js";
import { conversationListCache } from "./list-cache.js";
import { type PageAccess, pageAccessCache } from "./page-access.js";
import { type ConversationSendState, sendState } from "./send-state.js";
import {
  agentsBlockEitherWay,
  type Db,
  MESSAGE_PAGE_ASC_SQL,
  MESSAGE_PAGE_DESC_SQL,
  type MessageValues,
  type Stmt,
  toMessageFromValues,
} from "./sql.js";

/**
 * The caller's membership, the conversation's `messages_version` (see message-tail.ts) and its
 * `next_seq` (a send's seq: read under the write lock, in the send's own transaction).
 */
function access(
  stmt: Stmt,
  caller: string,
  id: string,
): (Access & { messages_version: number; next_seq: number }) | undefined {
  return stmt(
    `SELECT c.type, c.direct_low, c.direct_high, c.messages_version, c.next_seq, m.role
     FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = ? AND m.agent_id = ?`,
  ).get(id, caller) as (Access & { messages_version: number; next_seq: number }) | undefined;
}

/**
 * {@link access} plus the agents the caller blocked (left out of the caller's pages), in one
 * statement; kept in memory by the page access cache (page-access.ts).
 */
function pageAccess(stmt: Stmt, caller: string, id: string): PageAccess | undefined {
  const row = stmt(
    `SELECT c.messages_version, (SELECT group_concat(target_id, ' ') FROM blocks
       WHERE blocker_id = m.agent_id AND type = 'agent') AS blocked
     FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = ? AND m.agent_id = ?`,
  ).get(id, caller) as { messages_version: number; blocked: string | null } | undefined;
  if (row === undefined) return undefined;
  // Agent ids are `agt_` + base32: never a space.
  const blocked = row.blocked === null ? null : new Set(row.blocked.split(" "));
  return { messages_version: row.messages_version, blocked };
}

/** The access rules' view of a kept send state. */
function accessOf(state: ConversationSendState, caller: string): Access {
  const { type, direct_low, direct_high } = state;
  return { type, direct_low, direct_high, role: state.roles.get(caller) as Access["role"] };
}

/** A tail entry for a stored page row. */
function entryOf(v: MessageValues): TailEntry {
  return { seq: v[2], authorId: v[3], json: JSON.stringify(toMessageFromValues(v)) };
}

/** A new message: never edited or deleted yet (both NULL by default). */
const SEND_INSERT_SQL = `INSERT INTO messages (id, conversation_id, seq, author_id, content,
  content_type, reply_to_id, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The newest messages of a conversation, every author (a tail is shared by all members). */
const NEWEST_MESSAGES_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?
  ORDER BY seq DESC LIMIT ?`;

function messageIn(stmt: Stmt, conversation: string, id: string): MessageRow | undefined {
  return stmt("SELECT * FROM messages WHERE id = ? AND conversation_id = ?").get(
    id,
    conversation,
  ) as MessageRow | undefined;
}

/** A block on a direct conversation either way: agent blocks between the pair, or a conversation block. */
function directBlocked(stmt: Stmt, id: string, a: Access): boolean {
  const low = a.direct_low ?? "";
  const high = a.direct_high ?? "";
  if (agentsBlockEitherWay(stmt, low, high)) return true;
  return (
    stmt(
      `SELECT 1 FROM blocks WHERE type = 'conversation' AND target_id = ?
       AND blocker_id IN (?, ?) LIMIT 1`,
    ).get(id, low, high) !== undefined
  );
}

/**
 * Message and read-marker operations of the SQLite chat store. Sends are group-committed
 * ({@link Db.writeBatched}); pages are picked from `tails` (recent messages' JSON) when it is
 * current, else read from the database.
 */
export function messageOps(db: Db, stmt: Stmt, tails = new MessageTails()): MessageOps {
  let generation = db.generation;
  const events = sqliteEvents(db).writer;
  const lists = conversationListCache(db);
  const sends = sendState(db);
  const pageAccesses = pageAccessCache(db);
  /**
   * The caller's membership and what a send needs of the conversation: kept in memory
   * (send-state.ts), else read (one statement; two more for a direct conversation's blocks).
   */
  const sendStateOf = (caller: string, conversation: string) => {
    sends.validate();
    let state = sends.get(conversation);
    if (state?.roles.has(caller)) return state;
    const a = access(stmt, caller, conversation);
    if (a === undefined) return undefined;
    if (
      state === undefined ||
      state.next_seq !== a.next_seq ||
      state.messages_version !== a.messages_version
    ) {
      const blocked = sendNeedsBlockCheck(a) && directBlocked(stmt, conversation, a);
      const { type, direct_low, direct_high, next_seq, messages_version } = a;
      state = {
        type,
        direct_low,
        direct_high,
        next_seq,
        messages_version,
        blocked,
        roles: new Map(),
        recipients: new Map(),
      };
      sends.set(conversation, state);
    }
    state.roles.set(caller, a.role);
    return state;
  };
  /** The caller's page access facts: kept in memory (page-access.ts), else read and kept. */
  const pageAccessOf = (caller: string, conversation: string): PageAccess | undefined => {
    let a = pageAccesses.get(caller, conversation);
    if (a === undefined) {
      a = pageAccess(stmt, caller, conversation);
      if (a !== undefined) pageAccesses.set(caller, conversation, a);
    }
    return a;
  };
  /** A reopened connection may see another file (a restored copy): start the tails over. */
  const checkConnection = () => {
    if (db.generation === generation) return;
    generation = db.generation;
    tails.clear();
  };
  return {
    async locateMessage(caller, conversation, message) {
      if (pageAccessOf(caller, conversation) === undefined) return NOT_FOUND;
      const row = messageIn(stmt, conversation, message);
      return { ok: true, value: row === undefined ? null : { seq: row.seq } };
    },

    async sendMessage(caller, conversation, input, now) {
      return db.writeBatched(() =>
        lists.tracked((): Outcome<MessageRecord> => {
          const state = sendStateOf(caller, conversation);
          const refused = sendRefusal(
            state === undefined ? undefined : accessOf(state, caller),
            state?.blocked === true,
            input.reply_to_id === null ||
              messageIn(stmt, conversation, input.reply_to_id) !== undefined,
          );
          if (refused || state === undefined) return refused ?? NOT_FOUND;
          lists.touchConversation(conversation);
          // The seq comes from the state read (or kept) under this transaction's write lock: the
          // insert's trigger (chat migration 20261207T0800) moves next_seq, messages_version and
          // the activity times in one UPDATE, and the kept state follows it below.
          const seq = state.next_seq;
          const row = newMessageRow(caller, conversation, input, seq, now);
          // Positional: binding 9 values costs less than looking 11 names up in `row`.
          stmt(SEND_INSERT_SQL).run(
            row.id,
            conversation,
            seq,
            caller,
            row.content,
            row.content_type,
            row.reply_to_id,
            row.metadata,
            now,
          );
          // The insert's trigger moved messages_version from this value to one more.
          const before = state.messages_version;
          state.next_seq = seq + 1;
          state.messages_version = before + 1;
          const message = toMessage(row);
          // Serialized once: the event's payload and the message tail's entry are the same JSON.
          const json = JSON.stringify(message);
          // Kept with the state, so as current as the roles (see send-state.ts).
          let recipients = state.recipients.get(caller);
          if (recipients === undefined) {
            recipients = events.recipients(conversation, caller);
            state.recipients.set(caller, recipients);
          }
          events.toRecipients(
            recipients,
            {
              type: "message.created",
              conversationId: conversation,
              data: message,
              now,
              authorId: caller,
            },
            json,
          );
          db.afterCommit(() => {
            checkConnection();
            tails.append(conversation, before, seq, caller, () => json);
          });
          return { ok: true, value: message };
        }, true),
      );
    },

    async listMessages(caller, conversation, window, limit) {
      const a = pageAccessOf(caller, conversation);
      if (a === undefined) return NOT_FOUND;
      checkConnection();
      const { messages_version: version, blocked } = a;
      let page = tails.page(conversation, version, window, limit, blocked);
      if (page === undefined && !tails.isCurrent(conversation, version)) {
        const newest = stmt(NEWEST_MESSAGES_SQL)
          .raw(true)
          .all(conversation, tails.fillSize) as MessageValues[];
        tails.store(conversation, version, newest.map(entryOf));
        page = tails.page(conversation, version, window, limit, blocked);
      }
      if (page !== undefined) return { ok: true, value: page };
      // Older than the tail: read the page itself.
      const asc = window.direction === "asc";
      // Read as arrays (see MESSAGE_COLUMNS); only this method runs these statements.
      const rows = stmt(asc ? MESSAGE_PAGE_ASC_SQL : MESSAGE_PAGE_DESC_SQL)
        .raw(true)
        .all({
          id: conversation,
          caller,
          seq: window.seq ?? (asc ? 0 : Number.MAX_SAFE_INTEGER),
          limit: limit + 1,
        }) as MessageValues[];
      const rowsOfPage = rows.slice(0, limit);
      const next = rows.length > limit ? (rowsOfPage.at(-1)?.[2] ?? null) : null;
      return {
        ok: true,
        value: { json: JSON.stringify(rowsOfPage.map(toMessageFromValues)), next },
      };
    },

    async getMessage(caller, conversation, message) {
      if (pageAccessOf(caller, conversation) === undefined) return NOT_FOUND;
      const row = stmt(`SELECT * FROM messages WHERE id = @id AND conversation_id = @conversation
          AND ${NOT_BLOCKED_AUTHOR}`).get({ id: message, conversation, caller }) as
        | MessageRow
        | undefined;
      return row === undefined ? NOT_FOUND : { ok: true, value: toMessage(row) };
    },

    async editMessage(caller, conversation, message, edit, now) {
      return db.write(() =>
        lists.tracked((): Outcome<MessageRecord> => {
          lists.touchConversation(conversation);
          if (access(stmt, caller, conversation) === undefined) return NOT_FOUND;
          const row = messageIn(stmt, conversation, message);
          const edited = editedMessage(row, caller, edit, now);
          if (!edited.ok) return edited;
          const next = edited.value;
          stmt(
            `UPDATE messages SET content = @content, metadata = @metadata, edited_at = @edited_at
           WHERE id = @id AND deleted_at IS NULL`,
          ).run(next);
          db.afterCommit(() => tails.drop(conversation));
          const edited_ = toMessage(next);
          events.toMembers({
            type: "message.updated",
            conversationId: conversation,
            data: edited_,
            now,
            authorId: next.author_id,
          });
          return { ok: true, value: edited_ };
        }),
      );
    },

    async deleteMessage(caller, conversation, message, now) {
      return db.write(() =>
        lists.tracked((): Outcome<MessageRecord> => {
          lists.touchConversation(conversation);
          const a = access(stmt, caller, conversation);
          if (a === undefined) return NOT_FOUND;
          const row = messageIn(stmt, conversation, message);
          const d = deletion(row, caller, a, now);
          if (!d.ok) return d;
          const tomb = d.value.row;
          if (!d.value.changed) return { ok: true, value: toMessage(tomb) };
          stmt(
            "UPDATE messages SET content = NULL, metadata = NULL, deleted_at = @deleted_at WHERE id = @id",
          ).run(tomb);
          db.afterCommit(() => tails.drop(conversation));
          const tombstone = toMessage(tomb);
          events.toMembers({
            type: "message.deleted",
            conversationId: conversation,
            data: tombstone,
            now,
            authorId: tomb.author_id,
          });
          return { ok: true, value: tombstone };
        }),
      );
    },

    async markRead(caller, conversation, message) {
      return db.write(() =>
        lists.tracked(() => {
          lists.touchPages(caller);
          if (access(stmt, caller, conversation) === undefined) return NOT_FOUND;
          const row = messageIn(stmt, conversation, message);
          if (row === undefined) return NOT_FOUND;
          const moved = stmt(
            `UPDATE conversation_members SET last_read_seq = @seq, last_read_message_id = @msg
           WHERE conversation_id = @id AND agent_id = @caller AND last_read_seq < @seq`,
          ).run({ seq: row.seq, msg: row.id, id: conversation, caller }).changes;
          const view = viewOf(stmt, caller, conversation);
          if (view === undefined) throw new Error("member vanished in its own transaction");
          const { last_read_message_id, unread_count } = view;
          if (moved > 0) {
            events.toAgent(caller, {
              type: "read.updated",
              conversationId: conversation,
              data: { last_read_message_id, unread_count },
              now: Date.now(),
            });
          }
          return { ok: true, value: { last_read_message_id, unread_count } } as const;
        }, true),
      );
    },
  };
}
