import type { ChatStore } from "../../domains/chat/store.js";
import type { MessageTails } from "../shared/message-tail.js";
import { conversationOps } from "./chat-conversations.js";
import { memberOps } from "./chat-members.js";
import { messageOps } from "./chat-messages.js";
import type { Db, Stmt } from "./chat-sql.js";

/**
 * Builds the SQLite chat store on an open connection (migrations already applied); `tails` lets
 * a test size the cache of recent messages' JSON.
 */
export function createSqliteChatStore(db: Db, tails?: MessageTails): ChatStore {
  const stmt: Stmt = (sql) => db.stmt(sql);
  return { ...conversationOps(db, stmt), ...memberOps(db, stmt), ...messageOps(db, stmt, tails) };
}
