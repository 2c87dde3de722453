/**
 * The held-streams send rate of the Events bench on its own (a minute instead of the whole
 * `pnpm bench`): a fresh CLI server on SQLite, then `measureHeldStreams` (A B B A cycles, streams
 * held by a child process, the server's CPU per send, RSS, idle CPU).
 *
 *   pnpm --filter @fluxra/bench exec tsx src/events/held-streams.ts [--cycles 3] [--streams 1000]
 *     [--seconds 5] [--server path/to/fluxra-server.js]
 *
 * `--server` runs another build of the CLI (e.g. one built from main) for a before/after.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type SeededAgent, seedAgent, seedConversation } from "../seed.js";
import { serverBin, startProcess } from "../server-process.js";
import { sendRate } from "./delivery.js";
import { eventsFull, measureHeldStreams } from "./suite.js";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: String(eventsFull.rateCycles) },
    streams: { type: "string", default: String(eventsFull.streams) },
    seconds: { type: "string", default: String(eventsFull.rateSeconds) },
    server: { type: "string", default: serverBin },
  },
});
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-held-streams-"));
const server = await startProcess({
  args: [values.server, "--port", "0", "--db", join(dir, "events.db"), "--token-ttl", "3600"],
  env: { FLUXRA_RATE_LIMITS: "off" },
  timeoutSeconds: 120,
});
try {
  const base = server.url;
  const alice = await seedAgent(base, "ev_alice");
  const bob = await seedAgent(base, "ev_bob");
  const pair = await seedConversation(base, alice, "pair", [bob.id]);
  const idle: SeededAgent[] = [];
  for (let i = 0; i < 10; i++) idle.push(await seedAgent(base, `ev_idle${i}`));
  // Warm-up (in the full run the delivery rounds come first): a cold first round made the first
  // cycle's "without" side slower in every trial run.
  await sendRate(base, alice, pair, 3, server.child.pid);
  const { throughput: t, heldStreams: h } = await measureHeldStreams(
    base,
    server.child.pid,
    alice,
    pair,
    idle,
    {
      streams: Number(values.streams),
      rateSeconds: Number(values.seconds),
      rateCycles: Number(values.cycles),
    },
  );
  console.log(
    `sends/s ${t.idle0.toFixed(0)} without, ${t.idleHeld.toFixed(0)} with ${t.streams} streams (${t.ratio.toFixed(2)}×; cycles ${t.cycles.map((c) => c.ratio.toFixed(2)).join(", ")})`,
  );
  console.log(
    `server CPU µs/send without → with: ${t.cycles.map((c) => `${c.serverCpuUsWithout.toFixed(0)} → ${c.serverCpuUsWith.toFixed(0)}`).join(", ")}`,
  );
  console.log(
    `extra RSS ${h.extraRssMb.toFixed(1)} MB, idle CPU ${h.idleCpuPct.toFixed(2)} %, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
