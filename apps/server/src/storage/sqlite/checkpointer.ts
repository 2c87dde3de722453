import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints off the event loop.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: one
 * send in ~80 paid a few milliseconds of page copying and fsync on the event loop, which was the
 * p99 of a send and of event delivery (issue 14: send's own p99 8.7 ms with it, 5.5 ms without,
 * in one run). Instead, each connection sets `wal_autocheckpoint` to {@link SAFETY_NET_PAGES}
 * (only reached if the worker falls behind or cannot start) and, at most every
 * {@link CHECKPOINT_DELAY_MS} after its commits, asks one process-wide worker thread to run a
 * PASSIVE checkpoint of the file on a connection of its own. A PASSIVE checkpoint never blocks
 * the writer or readers; once it has copied every frame, the next writer restarts the WAL from
 * its start, so the file stays as small as before. Durability is unchanged: checkpoints only
 * copy committed pages into the database file.
 */
export const SAFETY_NET_PAGES = 20_000;
export const CHECKPOINT_DELAY_MS = 100;

/** CommonJS run by `new Worker(…, { eval: true })`: no file of its own to ship or bundle. */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
parentPort.on("message", (path) => {
  let db;
  try {
    db = new Database(path, { fileMustExist: true });
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ path, frames: r ? r.log : 0, copied: r ? r.checkpointed : 0 });
  } catch (err) {
    // The file is gone or replaced, or busy: the next commit asks again.
    parentPort.postMessage({ path, error: String(err && err.message) });
  } finally {
    try { if (db) db.close(); } catch {}
  }
});
`;

/** What the worker did for one request (tests observe it). */
export interface CheckpointResult {
  path: string;
  frames?: number;
  copied?: number;
  error?: string;
}

let worker: Worker | null | undefined;
const listeners = new Set<(r: CheckpointResult) => void>();
/** Requests sent and not answered yet, by path, with who waits for them to settle. */
const inFlight = new Map<string, { count: number; settled: (() => void)[] }>();

function answered(path: string): void {
  const entry = inFlight.get(path);
  if (!entry) return;
  if (--entry.count > 0) return;
  inFlight.delete(path);
  for (const done of entry.settled) done();
}

function dropAll(): void {
  const entries = [...inFlight.values()];
  inFlight.clear();
  for (const e of entries) for (const done of e.settled) done();
}

function theWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const w = new Worker(workerSource, { eval: true, workerData: { driver } });
    w.on("message", (r: CheckpointResult) => {
      answered(r.path);
      for (const l of listeners) l(r);
    });
    // A worker that dies leaves the safety net: automatic checkpoints at SAFETY_NET_PAGES.
    w.on("error", () => {
      worker = null;
      dropAll();
    });
    w.on("exit", () => {
      worker = null;
      dropAll();
    });
    // After the listeners: attaching a "message" listener refs the worker again, and a ref'd
    // worker would keep the process from exiting.
    w.unref();
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/** Asks the worker for a PASSIVE checkpoint of `path` (returns false if there is no worker). */
export function requestCheckpoint(path: string): boolean {
  const w = theWorker();
  if (!w) return false;
  const entry = inFlight.get(path);
  if (entry) entry.count++;
  else inFlight.set(path, { count: 1, settled: [] });
  w.postMessage(path);
  return true;
}

/**
 * Resolves once every checkpoint of `path` already handed to the worker has finished, so a
 * closed store leaves no connection to its file behind (its directory can then be removed).
 */
export function checkpointsSettled(path: string): Promise<void> {
  const entry = inFlight.get(path);
  if (!entry) return Promise.resolve();
  // The worker is unref'd (it never keeps a process alive on its own), so while someone awaits
  // its answer it must be ref'd: otherwise a process whose last pending work is this await sees
  // an empty event loop and exits (code 13, an unsettled top-level await) before the answer.
  if (waiting++ === 0) worker?.ref();
  return new Promise((resolve) =>
    entry.settled.push(() => {
      if (--waiting === 0) worker?.unref();
      resolve();
    }),
  );
}

/** Callers awaiting {@link checkpointsSettled} (the worker is ref'd while there are any). */
let waiting = 0;

/** Calls `listener` with every checkpoint the worker reports; returns its removal. */
export function onCheckpoint(listener: (r: CheckpointResult) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
