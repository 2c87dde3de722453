import type { LoadSettings } from "./load.js";

/** What a run measures and for how long. */
export interface Profile {
  mode: "full" | "quick";
  load: LoadSettings;
  /** Sequential list calls per size in the scale check (latency, one connection). */
  scaleRequests: number;
  /** Conversation sizes of the scale check, smallest first. */
  scaleSizes: number[];
  clientIterations: number;
  /** Measured passes of the SDK-vs-fetch comparison (the target holds in every one). */
  clientPasses: number;
  /** Unmeasured alternating calls per side of every call before pass 1 (JIT warm-up). */
  clientWarmup: number;
  /** First calls of every call in a fresh process per side, reported beside the passes. */
  clientColdCalls: number;
  startupRuns: number;
  /** Conversations in the caller's list (GET /api/conversations). */
  conversations: number;
  /** Messages sent over HTTP into the measured conversation before the load. */
  setupMessages: number;
  /**
   * Unread messages bulk-written (from another process, as a second writer would) into one other
   * conversation of the caller's list before the load: issue 18's "one with 80 k unread".
   */
  unreadBacklog: number;
  /**
   * Seconds of unmeasured load per route on both PostgreSQL instances before their rounds: the
   * SQLite server they are compared with has served the whole throughput table by then, and V8
   * is still compiling the PostgreSQL path ~8 s into a run (its driver code runs once per batch,
   * not per send: bench/README.md, PostgreSQL round 8).
   */
  pgWarmupSeconds: number;
}

/** The full run: the figures reported in results/latest.*. */
export const fullProfile: Profile = {
  mode: "full",
  load: { connections: 10, durationSeconds: 10, warmupSeconds: 2, rounds: 2 },
  scaleRequests: 3000,
  scaleSizes: [10_000, 100_000, 1_000_000],
  clientIterations: 2000,
  clientPasses: 3,
  clientWarmup: 3000,
  clientColdCalls: 200,
  startupRuns: 5,
  conversations: 20,
  setupMessages: 60,
  unreadBacklog: 80_000,
  pgWarmupSeconds: 8,
};

/** The smoke run (seconds): every row is produced, nothing is enforced. */
export const quickProfile: Profile = {
  mode: "quick",
  load: { connections: 4, durationSeconds: 1, warmupSeconds: 0, rounds: 1 },
  // /proc reports CPU in 10 ms ticks: 30 calls of ~50 µs each read as 0 µs about half the time
  // (CI, stop 27). 600 calls (~30 ms of server CPU per size, ~0.3 s in all) always read above 0.
  scaleRequests: 600,
  scaleSizes: [1_000, 2_000, 5_000],
  clientIterations: 10,
  clientPasses: 3,
  clientWarmup: 10,
  clientColdCalls: 5,
  startupRuns: 1,
  conversations: 3,
  setupMessages: 55,
  unreadBacklog: 500,
  pgWarmupSeconds: 0,
};
