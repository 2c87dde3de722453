import type { MessageEdit, Outcome, Role } from "../../domains/chat/store.js";
import { ROLE_RANK } from "../../domains/chat/store.js";
import type { MessageRow } from "./message-rows.js";

/** The caller's membership as the message operations of both backends read it. */
export interface MessageAccess {
  type: "direct" | "group";
  role: Role;
  direct_low: string | null;
  direct_high: string | null;
}

/** The refusal for a conversation or message the caller cannot see. */
export const NOT_FOUND = { ok: false, code: "not_found" } as const;

/** New content of an `application/json` message must still parse (its type cannot change). */
function fitsContentType(content: string, type: string): boolean {
  if (type !== "application/json") return true;
  try {
    JSON.parse(content);
    return true;
  } catch {
    return false;
  }
}

/**
 * The row after `caller`'s edit, or why the edit is refused: only the author edits, a deleted
 * message stays deleted, JSON content must still parse. `metadata: null` clears it.
 */
export function editedMessage(
  row: MessageRow,
  caller: string,
  edit: MessageEdit,
  now: number,
): Outcome<MessageRow> {
  if (row.author_id !== caller) return { ok: false, code: "not_message_author" };
  if (row.deleted_at !== null) return { ok: false, code: "message_deleted" };
  if (edit.content !== undefined && !fitsContentType(edit.content, row.content_type)) {
    const message = "application/json content must parse as JSON.";
    return { ok: false, code: "invalid", path: "body.content", message };
  }
  return {
    ok: true,
    value: {
      ...row,
      content: edit.content ?? row.content,
      metadata:
        edit.metadata === undefined
          ? row.metadata
          : edit.metadata === null
            ? null
            : JSON.stringify(edit.metadata),
      edited_at: now,
    },
  };
}

/** Whether `caller` may delete the message: its author, or a group's admin or owner. */
export function mayDeleteMessage(row: MessageRow, caller: string, a: MessageAccess): boolean {
  const moderator = a.type === "group" && ROLE_RANK[a.role] >= ROLE_RANK.admin;
  return row.author_id === caller || moderator;
}

/** The tombstone a deletion leaves: content and metadata gone, `deleted_at` set. */
export function tombstoneOf(row: MessageRow, now: number): MessageRow {
  return { ...row, content: null, metadata: null, deleted_at: now };
}
