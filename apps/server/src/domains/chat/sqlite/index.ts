import type { MessageTails } from "../message-tail.js";
import type { ChatStore } from "../store.js";
import { conversationOps } from "./conversations.js";
import { memberOps } from "./members.js";
import { messageOps } from "./messages.js";
import type { Db, Stmt } from "./sql.js";

/**
 * Builds the SQLite chat store on an open connection (migrations already applied); `tails` lets
 * a test size the cache of recent messages' JSON.
 */
export function createSqliteChatStore(db: Db, tails?: MessageTails): ChatStore {
  const stmt: Stmt = (sql) => db.stmt(sql);
  return { ...conversationOps(db, stmt), ...memberOps(db, stmt), ...messageOps(db, stmt, tails) };
}
