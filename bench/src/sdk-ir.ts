/**
 * Instructions per call of raw `fetch` vs the SDK on an in-memory undici dispatcher (no socket,
 * no server), for valgrind: a count the machine's load does not move. Bundle it first (the SDK
 * is TypeScript), then count only the measured calls, after a long warm-up:
 *
 *   esbuild src/sdk-ir.ts --bundle --platform=node --format=esm --outfile=/tmp/ir.mjs
 *   valgrind --tool=callgrind --instr-atstart=no node --single-threaded --predictable \
 *     --max-semi-space-size=16 --min-semi-space-size=16 /tmp/ir.mjs <which> <N> <warm-up> pause
 *   # once it prints "WARM <pid>":  callgrind_control -i on <pid>
 *
 * <which>: raw-convs | raw-msgs (raw `fetch` + `json()`), sdk-convs | sdk-msgs
 * (`list().pages().next()`), sdk-convsfp (`firstPage()`), sdk-convsget (`client.GET`).
 * Without `pause` everything is counted (warm-up included; difference two N to get per call).
 * Read GC separately (callgrind_annotate: Scavenger*, MarkCompact*, Sweeper*): one mark-compact
 * in or out of a 1,000-call window moves the per-call figure by 60-120 k instructions. Or keep GC
 * out of the window: add `gc` after `pause`, run node with `--expose-gc --max-semi-space-size=64
 * --min-semi-space-size=64` and a window of ~300 calls: it prints `GCS 0` (no GC in the window)
 * and the bytes allocated per call (round 7).
 */
import { createFluxraClient } from "@fluxra/sdk";
import { answerFromMemory } from "./in-memory-dispatcher.js";

answerFromMemory();

const base = "http://127.0.0.1:8080";
const auth = { authorization: `Bearer ${"eyJ".padEnd(300, "x")}` };
const ok = async (res: Response) => {
  if (!res.ok) throw new Error("x");
  return res.json();
};
const [which, n] = [process.argv[2] as string, Number(process.argv[3])];
const cid = "cnv_01jf0000000000000000000000";
let fn: () => Promise<unknown>;
if (which.startsWith("raw")) {
  const url =
    which === "raw-convs"
      ? `${base}/api/conversations`
      : `${base}/api/conversations/${cid}/messages`;
  fn = () => fetch(url, { headers: auth }).then(ok);
} else {
  const [kind, what] = which.split("-");
  void kind;
  const create = createFluxraClient;
  const sdk = create({ baseUrl: base, apiKey: `fxk_${"a".repeat(40)}`, maxRetries: 0 });
  await sdk.getAccessToken();
  fn =
    what === "convsfp"
      ? () => sdk.conversations.list().firstPage()
      : what === "convsget"
        ? () => sdk.GET("/api/conversations", {})
        : what === "convs"
          ? () => sdk.conversations.list().pages().next()
          : () => sdk.messages.list(cid).pages().next();
}
const warm = Number(process.argv[4] ?? 1500);
for (let i = 0; i < warm; i++) await fn();
// `gc` (node --expose-gc, semi-space >= 64 MB): a full GC just before the window, so a window of
// a few hundred calls runs no GC at all; prints the window's scavenges/mark-compacts (should be 0)
// and the bytes allocated per call (heap growth over the window, exact when no GC ran in it).
const gcMode = process.argv.includes("gc");
let gcs = 0;
if (gcMode) {
  const { PerformanceObserver } = await import("node:perf_hooks");
  new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  }).observe({ entryTypes: ["gc"] });
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setImmediate(resolve));
  gcs = 0;
}
if (process.argv[5] === "pause") {
  // For `valgrind --tool=callgrind --instr-atstart=no`: switch instrumentation on now
  // (`callgrind_control -i on <pid>`), so only the measured calls are counted.
  process.stderr.write(`WARM ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, 4000));
}
const heapBefore = process.memoryUsage().heapUsed;
for (let i = 0; i < n; i++) await fn();
if (gcMode) {
  const bytes = (process.memoryUsage().heapUsed - heapBefore) / n;
  await new Promise((resolve) => setImmediate(resolve));
  process.stderr.write(`GCS ${gcs} BYTES/CALL ${bytes.toFixed(0)}\n`);
}
