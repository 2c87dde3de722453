/**
 * Store-level A/B of the SQLite send path (issue 18, round 2): two server source trees loaded in
 * one process, each on its own WAL file, CPU µs per `sendMessage` to a 2-member group, one at a
 * time and per send in bursts of 8 (one group commit; the HTTP store floor's batches under 10
 * connections average 6-8), in alternating rounds (A B B A …) so both see the same machine load.
 * The process's CPU is measured, so the checkpoint worker's thread counts.
 *
 * A tree is a `src` directory inside apps/server (so its imports resolve), e.g. a copy of main's:
 *   git archive main apps/server/src | tar -x -C /tmp && mv /tmp/apps/server/src apps/server/ab/dist/A/src
 *
 * Usage: node --import tsx bench/src/store-send-ab.ts <src A> <src B> [rounds] [sends per round]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cpuPerCall, median } from "./cpu.js";
import { openSendStore } from "./store-send-setup.js";

const [srcA, srcB, roundsArg, perRoundArg] = process.argv.slice(2);
if (!srcA || !srcB) throw new Error("usage: store-send-ab.ts <src A> <src B> [rounds] [sends]");
const rounds = Number(roundsArg ?? 8);
const perRound = Number(perRoundArg ?? 2000);
const dir = mkdtempSync(join(tmpdir(), "fluxra-send-ab-"));

async function open(src: string, name: string) {
  const { store, send } = await openSendStore(src, join(dir, `${name}.db`), name);
  return {
    store,
    ops: {
      one: send,
      burst8: () => Promise.all(Array.from({ length: 8 }, send)),
    } as Record<string, () => Promise<unknown>>,
  };
}

const trees = { A: await open(srcA, "a"), B: await open(srcB, "b") };
const per: Record<string, number> = { one: 1, burst8: 8 };
const ops = Object.keys(per);
const samples: Record<string, number[]> = {};
for (const t of ["A", "B"] as const)
  for (const op of ops) await cpuPerCall(trees[t].ops[op] as () => unknown, 300);
const load = loadavg()[0] ?? 0;
for (let r = 0; r < rounds; r++) {
  for (const t of r % 2 ? (["B", "A"] as const) : (["A", "B"] as const)) {
    for (const op of ops) {
      const n = per[op] as number;
      const us = (await cpuPerCall(trees[t].ops[op] as () => unknown, perRound / n)) / n;
      const key = `${t} ${op}`;
      samples[key] = [...(samples[key] ?? []), us];
    }
  }
}
console.log(
  `store send A/B, CPU µs per send, median of ${rounds} rounds (load ${load.toFixed(2)} → ${loadavg()[0]?.toFixed(2)})`,
);
for (const op of ops) {
  const a = samples[`A ${op}`] as number[];
  const b = samples[`B ${op}`] as number[];
  const ratios = a.map((x, i) => ((b[i] as number) / x).toFixed(2)).join(" ");
  console.log(
    `${op.padEnd(7)} A ${median(a).toFixed(1).padStart(6)}  B ${median(b).toFixed(1).padStart(6)}  B/A per round ${ratios}`,
  );
}
for (const t of Object.values(trees)) await t.store.close();
rmSync(dir, { recursive: true, force: true });
