/**
 * Which SQL statements one newest-page `GET …/messages` runs, and their query plans, on a
 * conversation of `--messages` (default 1,000,000) bulk-seeded as `pnpm bench`'s scale check
 * seeds it (another connection, `bulkMessages`). In process (the reference server of
 * `@fluxra/server/testing`), with better-sqlite3's statement methods wrapped to log each
 * statement run; prints the statements of the first GET after the seed (cache refills) and of a
 * steady GET, each with EXPLAIN QUERY PLAN.
 *
 *   pnpm --filter @fluxra/bench exec tsx src/scale-statements.ts [--messages 1000000]
 */
import { parseArgs } from "node:util";
import { fetchPost, onboardAgent } from "@fluxra/openapi/onboard";
import { createReferenceServer } from "@fluxra/server/testing";
import { bulkMessages } from "./seed.js";

const { values } = parseArgs({ options: { messages: { type: "string", default: "1000000" } } });
const server = createReferenceServer();
const base = "http://fluxra.bench";
const post = fetchPost(base, (request) => Promise.resolve(server.fetch(request)));
const alice = await onboardAgent(post, { handle: "scale-alice", keyName: "bench" });
const bob = await onboardAgent(post, { handle: "scale-bob", keyName: "bench" });
const conv = await post(
  "/api/conversations",
  { type: "group", title: "scale", member_ids: [bob.id] },
  alice.accessToken,
);
const conversationId = (conv.body as { id: string }).id;
const raw = server.store.db.raw;
type Run = (...args: unknown[]) => unknown;
const proto = Object.getPrototypeOf(raw.prepare("SELECT 1")) as Record<string, Run>;
let log: { sql: string; args: unknown[] }[] | null = null;
for (const m of ["run", "get", "all", "iterate"]) {
  const original = proto[m] as Run;
  proto[m] = function (this: { source: string }, ...args: unknown[]) {
    log?.push({ sql: this.source, args });
    return original.apply(this, args);
  };
}
const list = async () => {
  const res = await server.fetch(
    new Request(`${base}/api/conversations/${conversationId}/messages`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    }),
  );
  if (res.status !== 200) throw new Error(`list → ${res.status}`);
  await res.arrayBuffer();
};
await list();
const seconds = bulkMessages(server.dbPath, conversationId, alice.id, 1, Number(values.messages));
console.log(`seeded ${values.messages} messages in ${seconds.toFixed(1)} s`);
const show = async (label: string) => {
  log = [];
  await list();
  const ran = log;
  log = null;
  console.log(`\n${label}: ${ran.length} statements`);
  for (const { sql, args } of ran) {
    console.log(`- ${sql.replace(/\s+/g, " ").trim()}`);
    if (/^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(sql)) continue;
    const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(args as [])) as {
      detail: string;
    }[];
    for (const p of plan) console.log(`    plan: ${p.detail}`);
  }
};
await show("first GET after the seed");
await show("second GET");
for (let i = 0; i < 100; i++) await list();
await show("steady GET (after 100 more)");
