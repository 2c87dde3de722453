/**
 * When does V8 stop compiling the code of the "raw fetch vs SDK" loop? Runs one call pair of
 * `client-overhead.ts` on the in-memory dispatcher (no socket, no server), alternating call by
 * call as `compareClients` does, in a child `node --trace-opt --trace-deopt`, and prints per
 * window of calls how many functions TurboFan finished optimizing and how many deoptimized.
 * Used to size the instrument's warm-up (README, "Round 6").
 *
 *   pnpm --filter @fluxra/bench exec tsx src/jit-settle.ts [--call messages|conversations]
 *     [--iterations 6000] [--window 250] [--side both|raw|sdk]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { clientPairs } from "./client-overhead.js";
import { answerFromMemory } from "./in-memory-dispatcher.js";

const { values } = parseArgs({
  options: {
    call: { type: "string", default: "messages" },
    iterations: { type: "string", default: "6000" },
    window: { type: "string", default: "250" },
    side: { type: "string", default: "both" },
    child: { type: "boolean", default: false },
  },
});
const iterations = Number(values.iterations);
const window = Number(values.window);

if (values.child) {
  answerFromMemory();
  const pairs = await clientPairs(
    "http://127.0.0.1:8080",
    { id: "agt_01jf0000000000000000000000", apiKey: `fxk_${"a".repeat(40)}`, accessToken: "" },
    "cnv_01jf0000000000000000000000",
  );
  const pair = pairs.find((p) =>
    values.call === "messages" ? p.name === "GET …/messages" : p.name === "GET /api/conversations",
  );
  if (!pair) throw new Error(`no call ${values.call}`);
  const first = values.side === "sdk" ? pair.sdk : pair.fetch;
  const second = values.side === "raw" ? pair.fetch : pair.sdk;
  for (let i = 0; i < iterations; i++) {
    if (i % window === 0) process.stdout.write(`@@ ${i}\n`);
    if (i % 2 === 0) {
      await first();
      await second();
    } else {
      await second();
      await first();
    }
  }
  process.stdout.write(`@@ ${iterations}\n`);
} else {
  const out = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      "--trace-opt",
      "--trace-deopt",
      fileURLToPath(import.meta.url),
      "--child",
      ...process.argv.slice(2),
    ],
    { encoding: "utf8", maxBuffer: 1 << 28 },
  );
  if (out.status !== 0) throw new Error(out.stderr);
  let at = -1;
  const rows: { from: number; opt: number; deopt: number; names: string[] }[] = [];
  for (const line of out.stdout.split("\n")) {
    const mark = /^@@ (\d+)$/.exec(line);
    if (mark) {
      at = Number(mark[1]);
      rows.push({ from: at, opt: 0, deopt: 0, names: [] });
      continue;
    }
    const row = rows.at(-1);
    if (!row) continue;
    if (/^\[completed (optimizing|compiling)/.test(line)) {
      row.opt++;
      row.names.push(/<JSFunction ([^ >]*)/.exec(line)?.[1] ?? "?");
    } else if (/^\[bailout \(kind: deopt/.test(line)) {
      row.deopt++;
    }
  }
  console.log(
    `${values.call}, ${values.side}, alternating; functions optimized (TurboFan) and deopts per window of ${window} iterations (each iteration = one call per side):\n`,
  );
  console.log("| iterations | optimized | deopts | some names |\n|---|---:|---:|---|");
  for (const r of rows.slice(0, -1)) {
    console.log(
      `| ${r.from}–${r.from + window} | ${r.opt} | ${r.deopt} | ${[...new Set(r.names)].slice(0, 6).join(", ")} |`,
    );
  }
}
