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
 * The owning connection asks only once its commits since the last request may have put ~1,000
 * frames into the WAL (SQLite's own default threshold): {@link CHECKPOINT_COMMITS} commits, or
 * the `-wal` file grown by {@link CHECKPOINT_FRAMES} frames (bulk writes) — see
 * {@link checkpointDue}. Why not every time: the first commit after a complete checkpoint
 * restarts the WAL from its start, and SQLite syncs the new WAL header then (`fsync`, on the
 * event loop, inside that COMMIT; it guards against corruption on power loss, even with
 * synchronous=NORMAL). Checkpointing every 100 ms made one send in ~6 of a client sending every
 * ~17 ms pay that sync (2.5–4 ms on the bench host): the tail of an idle send and of event
 * delivery (issue 18, bench README "Events: why an idle send took 2.6 ms"). Now one send in
 * ~200 pays it.
 *
 * Never open SQLite's own files (`-shm`, the database) outside SQLite: SQLite's locks are POSIX
 * advisory locks, held per process, and closing *any* descriptor of a file releases every lock
 * the process holds on it. An earlier version read the wal-index header with `fs.openSync` /
 * `closeSync` on the `-shm` file; each close dropped this process's WAL write lock and read
 * marks, so another process could begin writing while this one was still writing (duplicate
 * seqs in `chat/sqlite/race.test.ts`, CI of stop 27). The decision now uses what this process
 * knows (its own commits) and `stat` of the `-wal` file (a stat opens nothing); the worker
 * opens the file only through SQLite, whose VFS shares one lock state per file and process.
 */
export const SAFETY_NET_PAGES = 20_000;
export const CHECKPOINT_DELAY_MS = 100;
/** WAL growth, in frames, that makes a checkpoint due whatever the commit count (see above). */
export const CHECKPOINT_FRAMES = 1000;
/**
 * Commits of this process since its last checkpoint request that make the next one due: ~1,000
 * frames at the ~5 frames a send's commit writes (its message, event and counter pages).
 */
export const CHECKPOINT_COMMITS = 200;

/**
 * Whether a checkpoint is due after `commits` commits since the last request, during which the
 * `-wal` file grew by `walGrowth` bytes (its size only grows when commits append past the end of
 * what a restarted WAL reuses), with `frameBytes` per frame (page size + 24).
 */
export function checkpointDue(commits: number, walGrowth: number, frameBytes: number): boolean {
  return commits >= CHECKPOINT_COMMITS || walGrowth >= CHECKPOINT_FRAMES * frameBytes;
}

/** CommonJS run by `new Worker(…, { eval: true })`: no file of its own to ship or bundle. */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
parentPort.on("message", ({ path }) => {
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
  /**
   * No checkpoint was asked for (reported by the connection, not the worker): only `commits`
   * commits since the last request, and too little WAL growth ({@link checkpointDue}).
   */
  skipped?: boolean;
  commits?: number;
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

/** Asks the worker for a PASSIVE checkpoint of `path` (returns false if there is no worker). */
export function requestCheckpoint(path: string): boolean {
  const w = theWorker();
  if (!w) return false;
  const entry = inFlight.get(path);
  if (entry) entry.count++;
  else inFlight.set(path, { count: 1, settled: [] });
  w.postMessage({ path });
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

/** Tells the listeners a connection found no checkpoint due (see {@link checkpointDue}). */
export function reportSkipped(path: string, commits: number): void {
  for (const l of listeners) l({ path, skipped: true, commits });
}

/** Calls `listener` with every checkpoint the worker reports; returns its removal. */
export function onCheckpoint(listener: (r: CheckpointResult) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
