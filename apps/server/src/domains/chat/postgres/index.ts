import type { PgDatabase } from "../../../storage/postgres/database.js";
import type { MessageTails } from "../message-tail.js";
import type { ChatStore } from "../store.js";
import { conversationOps } from "./conversations.js";
import { memberOps } from "./members.js";
import { messageOps } from "./messages.js";

/**
 * Builds the PostgreSQL chat store (migrations applied before the first query); `tails` lets a
 * test size this instance's cache of recent messages' JSON.
 */
export function createPgChatStore(db: PgDatabase, tails?: MessageTails): ChatStore {
  return {
    ...conversationOps(db),
    ...memberOps(db),
    ...messageOps(db, tails, { groupWaitMicros: db.sendGroupWaitMicros }),
  };
}
