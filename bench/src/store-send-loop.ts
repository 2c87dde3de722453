/**
 * A plain loop of store sends (bursts of 8, one group commit each) for profilers:
 *   node --perf-basic-prof --import tsx bench/src/store-send-loop.ts <src|dist index> [bursts]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSendStore } from "./store-send-setup.js";

const [src, burstsArg] = process.argv.slice(2);
if (!src) throw new Error("usage: store-send-loop.ts <src dir or dist index.js> [bursts]");
const bursts = Number(burstsArg ?? 5000);
const dir = mkdtempSync(join(tmpdir(), "fluxra-send-loop-"));
const { store, send } = await openSendStore(src, join(dir, "loop.db"));
const t0 = process.cpuUsage();
for (let i = 0; i < bursts; i++) await Promise.all(Array.from({ length: 8 }, send));
const t = process.cpuUsage(t0);
console.log(`${((t.user + t.system) / (bursts * 8)).toFixed(1)} CPU µs/send (${bursts * 8} sends)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
