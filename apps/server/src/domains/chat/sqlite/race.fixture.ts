/**
 * Child process for the chat race tests: opens its own connection to the SQLite file named in
 * argv, waits for "go" (so every child starts together), runs its task and reports the results.
 * Separate processes give real concurrency on one file, which one event loop cannot.
 */

import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { createSqliteChatStore } from "./index.js";

interface Task {
  db: string;
  kind: "open" | "send" | "edit" | "delete";
  caller: string;
  other?: string;
  conversation?: string;
  message?: string;
  count: number;
  prefix: string;
}

const task = JSON.parse(process.argv[2] ?? "{}") as Task;
const db = new SqliteDatabase(task.db);
const chat = createSqliteChatStore(db);

const id = (i: number) => `${task.prefix}_${i}`;

async function run(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < task.count; i++) {
    const now = Date.now();
    if (task.kind === "open") {
      const r = await chat.openDirect(task.caller, task.other ?? "", id(i), now);
      out.push(r.ok ? { id: r.value.conversation.id, created: r.value.created } : r);
    } else if (task.kind === "send") {
      const msg = {
        id: id(i),
        content: `m${i}`,
        content_type: "text/plain" as const,
        reply_to_id: null,
        metadata: null,
      };
      const r = await chat.sendMessage(task.caller, task.conversation ?? "", msg, now);
      out.push(r.ok ? r.value.seq : r);
    } else if (task.kind === "edit") {
      const r = await chat.editMessage(
        task.caller,
        task.conversation ?? "",
        task.message ?? "",
        { content: `e${i}` },
        now,
      );
      out.push(r.ok ? "edited" : r.code);
    } else {
      const r = await chat.deleteMessage(
        task.caller,
        task.conversation ?? "",
        task.message ?? "",
        now,
      );
      out.push(r.ok ? "deleted" : r.code);
    }
  }
  return out;
}

process.on("message", (m) => {
  if (m !== "go") return;
  run()
    .then((results) => process.send?.({ results }, () => process.exit(0)))
    .catch((err: unknown) => process.send?.({ error: String(err) }, () => process.exit(1)));
});
// Never outlive the test that started us.
process.on("disconnect", () => process.exit(1));
process.send?.("ready");
