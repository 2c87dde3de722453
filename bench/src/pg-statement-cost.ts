/**
 * CPU of one PostgreSQL statement shape, both sides, A/B interleaved:
 * `tsx src/pg-statement-cost.ts <db url> <variants.json> [rounds] [statements per round] [connections]`.
 * Each variant ({ name, sql, params, options?, rowMode? }) gets its own `connections` node-pg
 * clients (named statements, as the server runs them); a round runs each variant's statements,
 * `connections` at a time, in the order A B B A …; per statement it prints the Node process's CPU
 * (process.cpuUsage) and the backends' on-CPU time (/proc/<pid>/schedstat, ns resolution).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { median } from "./cpu.js";

// node-pg as the server resolves it (the bench package does not depend on it).
const pg = createRequire(new URL("../../apps/server/package.json", import.meta.url))(
  "pg",
) as typeof import("../../apps/server/node_modules/@types/pg/index.js");

interface Variant {
  name: string;
  sql: string;
  params: unknown[];
  options?: string;
  rowMode?: "array";
  /** Run the statement unnamed (parse + plan each time). */
  unnamed?: boolean;
}
const [url, file, roundsArg = "6", countArg = "3000", connsArg = "4"] = process.argv.slice(2);
if (!url || !file) throw new Error("usage: pg-statement-cost.ts <url> <variants.json> …");
const variants = JSON.parse(readFileSync(file, "utf8")) as Variant[];
const rounds = Number(roundsArg);
const count = Number(countArg);
const conns = Number(connsArg);

const onCpuNs = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
};
const clients = new Map<string, { client: InstanceType<typeof pg.Client>; pid: number }[]>();
for (const v of variants) {
  const list = [];
  for (let i = 0; i < conns; i++) {
    const client = new pg.Client({ connectionString: url, types, options: v.options });
    await client.connect();
    const [row] = (await client.query("SELECT pg_backend_pid() AS pid")).rows;
    list.push({ client, pid: row.pid as number });
  }
  clients.set(v.name, list);
}
let serial = 0;
const runTag = Date.now().toString(36);
/** `{{n}}` in a string parameter becomes a number unique to the execution (ids of inserted rows). */
const fill = (x: unknown): unknown =>
  typeof x === "string"
    ? x.replaceAll("{{n}}", `${runTag}${String(serial).padStart(12, "0")}`)
    : Array.isArray(x)
      ? x.map(fill)
      : x;
const config = (v: Variant) => ({
  ...(v.unnamed ? {} : { name: `s_${v.name}` }),
  text: v.sql,
  values: v.params.map(fill),
  ...(v.rowMode ? { rowMode: v.rowMode } : {}),
});
async function run(v: Variant, n: number): Promise<{ node: number; backend: number }> {
  const list = clients.get(v.name) ?? [];
  const b0 = list.reduce((t, c) => t + onCpuNs(c.pid), 0);
  const n0 = process.cpuUsage();
  await Promise.all(
    list.map(async ({ client }) => {
      for (let i = 0; i < n / conns; i++) {
        serial++;
        await client.query(config(v));
      }
    }),
  );
  const used = process.cpuUsage(n0);
  const b1 = list.reduce((t, c) => t + onCpuNs(c.pid), 0);
  return { node: (used.user + used.system) / n, backend: (b1 - b0) / 1000 / n };
}
for (const v of variants) await run(v, conns * 20); // prepare + warm (past the 5 custom plans)
const results = new Map<string, { node: number[]; backend: number[] }>();
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? variants : [...variants].reverse();
  const line: string[] = [];
  for (const v of order) {
    const x = await run(v, count);
    const acc = results.get(v.name) ?? { node: [], backend: [] };
    acc.node.push(x.node);
    acc.backend.push(x.backend);
    results.set(v.name, acc);
    line.push(`${v.name} ${x.node.toFixed(1)} + ${x.backend.toFixed(1)}`);
  }
  console.log(
    `round ${r + 1}: ${line.join(" | ")}  (load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`,
  );
}
for (const v of variants) {
  const x = results.get(v.name) as { node: number[]; backend: number[] };
  console.log(
    `${v.name}: node ${median(x.node).toFixed(1)} µs, backend ${median(x.backend).toFixed(1)} µs per statement (medians)`,
  );
}
for (const list of clients.values()) for (const c of list) await c.client.end();
