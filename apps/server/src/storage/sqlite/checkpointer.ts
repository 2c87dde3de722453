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
 *
 * The worker checkpoints only once the WAL holds {@link CHECKPOINT_FRAMES} frames not yet copied
 * (SQLite's own default threshold), read from the wal-index header in the `-shm` file without
 * opening a connection. Why not every time: the first commit after a complete checkpoint
 * restarts the WAL from its start, and SQLite syncs the new WAL header then (`fsync`, on the
 * event loop, inside that COMMIT; it guards against corruption on power loss, even with
 * synchronous=NORMAL). Checkpointing every 100 ms made one send in ~6 of a client sending every
 * ~17 ms pay that sync (2.5–4 ms on the bench host): the tail of an idle send and of event
 * delivery (issue 18, bench README "Events: why an idle send took 2.6 ms"). At 1,000 frames a
 * send (~6 frames) pays it once in ~170.
 */
export const SAFETY_NET_PAGES = 20_000;
export const CHECKPOINT_DELAY_MS = 100;
/** Frames waiting in the WAL before the worker copies them (see above). */
export const CHECKPOINT_FRAMES = 1000;

/** CommonJS run by `new Worker(…, { eval: true })`: no file of its own to ship or bundle. */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, openSync, readSync } = require("node:fs");
const { endianness } = require("node:os");
const Database = require(workerData.driver);
const header = Buffer.alloc(136);
const u32 = endianness() === "LE" ? (o) => header.readUInt32LE(o) : (o) => header.readUInt32BE(o);
// Frames in the WAL not yet copied into the database file, from the wal-index header at the start
// of the -shm file (https://www.sqlite.org/walformat.html: iVersion 3007000 at 0, isInit at 12,
// mxFrame at 16, nBackfill at 96, native byte order), or -1 when it cannot be read: then the
// worker checkpoints, as it always did. A torn read only makes one checkpoint early or late.
function pending(path) {
  let fd;
  try {
    fd = openSync(path + "-shm", "r");
    if (readSync(fd, header, 0, 136, 0) < 136) return -1;
    if (u32(0) !== 3007000 || header[12] !== 1) return -1;
    return Math.max(0, u32(16) - u32(96));
  } catch {
    return -1;
  } finally {
    if (fd !== undefined) try { closeSync(fd); } catch {}
  }
}
parentPort.on("message", ({ path, minFrames }) => {
  const waiting = pending(path);
  if (waiting >= 0 && waiting < minFrames) {
    parentPort.postMessage({ path, pending: waiting, skipped: true });
    return;
  }
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
  /** The checkpoint ran: frames in the WAL, and how many of them it copied. */
  frames?: number;
  copied?: number;
  /** No checkpoint: fewer than the request's `minFrames` frames were waiting (`pending`). */
  skipped?: boolean;
  pending?: number;
  error?: string;
}

let worker: Worker | null | undefined;
const listeners = new Set<(r: CheckpointResult) => void>();
/** Requests sent and not answered yet, by path, with who waits for them to settle. */
const inFlight = new Map<string, { count: number; settled: (() => void)[] }>();
/**
 * How many {@link checkpointsSettled} promises are pending. While any is, the worker is ref'd: a
 * process whose only pending work is closing a store (a script's last `await store.close()`)
 * must wait for the answer instead of exiting with the await unsettled (exit code 13).
 */
let waiting = 0;

function settle(entry: { settled: (() => void)[] }): void {
  if (entry.settled.length === 0) return;
  waiting -= entry.settled.length;
  if (waiting === 0) worker?.unref();
  for (const done of entry.settled) done();
}

function answered(path: string): void {
  const entry = inFlight.get(path);
  if (!entry) return;
  if (--entry.count > 0) return;
  inFlight.delete(path);
  settle(entry);
}

function dropAll(): void {
  const entries = [...inFlight.values()];
  inFlight.clear();
  for (const e of entries) settle(e);
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

/**
 * Asks the worker for a PASSIVE checkpoint of `path` once `minFrames` frames wait in its WAL
 * (returns false if there is no worker).
 */
export function requestCheckpoint(path: string, minFrames = CHECKPOINT_FRAMES): boolean {
  const w = theWorker();
  if (!w) return false;
  const entry = inFlight.get(path);
  if (entry) entry.count++;
  else inFlight.set(path, { count: 1, settled: [] });
  w.postMessage({ path, minFrames });
  return true;
}

/**
 * Resolves once every checkpoint of `path` already handed to the worker has finished, so a
 * closed store leaves no connection to its file behind (its directory can then be removed).
 */
export function checkpointsSettled(path: string): Promise<void> {
  const entry = inFlight.get(path);
  if (!entry) return Promise.resolve();
  if (waiting++ === 0) worker?.ref();
  return new Promise((resolve) => entry.settled.push(resolve));
}

/** Calls `listener` with every checkpoint the worker reports; returns its removal. */
export function onCheckpoint(listener: (r: CheckpointResult) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
