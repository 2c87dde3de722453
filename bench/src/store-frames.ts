/**
 * WAL frames (pages written) per commit of the SQLite send, by group-commit batch size: the
 * store of a server tree (`src` dir or a dist `index.js`) on a file of its own, a 2-member group,
 * `commits` commits of `batch` concurrent sends each after a TRUNCATE checkpoint, then the WAL's
 * frame count (`wal_checkpoint(PASSIVE)`'s `log`). Exact, so it does not move with the machine's
 * load: what a commit costs SQLite in page writes (each frame is a 4 KB write plus its checksum),
 * and how a bigger batch shares the pages every send touches.
 *
 *   tsx src/store-frames.ts [tree] [batches, e.g. 1,2,5,10,20] [commits]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSendStore } from "./store-send-setup.js";

const [tree = "../apps/server/src", batchesArg = "1,2,5,10,20", commitsArg = "200"] =
  process.argv.slice(2);
const commits = Number(commitsArg);
const dir = mkdtempSync(join(tmpdir(), "fluxra-frames-"));
const { store, send } = await openSendStore(tree, join(dir, "frames.db"));
try {
  for (let i = 0; i < 300; i++) await send(); // past the first pages of every table
  for (const batch of batchesArg.split(",").map(Number)) {
    store.db.raw.pragma("wal_checkpoint(TRUNCATE)");
    for (let c = 0; c < commits; c++) {
      // One event-loop turn: the sends share one group commit.
      await Promise.all(Array.from({ length: batch }, () => send()));
    }
    const [r] = store.db.raw.pragma("wal_checkpoint(PASSIVE)") as { log: number }[];
    const frames = r?.log ?? 0;
    console.log(
      `batch ${batch}: ${(frames / commits).toFixed(1)} frames per commit, ${(frames / commits / batch).toFixed(2)} per send`,
    );
  }
} finally {
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
}
