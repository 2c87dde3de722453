import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { noteReceived, receivedCount } from "../../platform/received.js";
import { SqliteDatabase } from "./database.js";

/** One turn of the event loop (the check phase). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// `sharedDataVersion` is read once per received request: what a request sees must include every
// commit another connection made before the request was received. `two` plays the other process.
describe("SqliteDatabase.sharedDataVersion", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  function openTwo(): [SqliteDatabase, SqliteDatabase] {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-shared-version-"));
    const path = join(dir, "v.db");
    const one = new SqliteDatabase(path, { migrations: [] });
    const two = new SqliteDatabase(path, { migrations: [] });
    two.write(() => two.raw.exec("CREATE TABLE t (x INTEGER)"));
    cleanups.push(() => {
      one.close();
      two.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return [one, two];
  }
  const commitOn = (db: SqliteDatabase) =>
    db.write(() => db.stmt("INSERT INTO t (x) VALUES (1)").run());

  it("reads every time while no listener counts requests", () => {
    expect(receivedCount()).toBe(-1);
    const [one, two] = openTwo();
    const before = one.sharedDataVersion();
    commitOn(two);
    expect(one.sharedDataVersion()).not.toBe(before);
    expect(one.sharedDataVersion()).toBe(one.dataVersion());
  });

  it("sees a commit made before the next request was received, and reuses one read per request", async () => {
    noteReceived();
    const [one, two] = openTwo();
    const first = one.sharedDataVersion();
    // Another process commits, then a request arrives: its check must see the commit.
    commitOn(two);
    noteReceived();
    const second = one.sharedDataVersion();
    expect(second).not.toBe(first);
    expect(second).toBe(one.dataVersion());
    // A commit after this request's read, with no new request received and in the same turn:
    // this request's later checks reuse its read (the commit came after it was received)…
    commitOn(two);
    expect(one.sharedDataVersion()).toBe(second);
    // …and the next request sees it.
    noteReceived();
    expect(one.sharedDataVersion()).toBe(one.dataVersion());
    expect(one.sharedDataVersion()).not.toBe(second);
  });

  it("reads again in the next event-loop turn even when no request was received", async () => {
    noteReceived();
    const [one, two] = openTwo();
    const first = one.sharedDataVersion();
    commitOn(two);
    await nextTurn();
    expect(one.sharedDataVersion()).not.toBe(first);
  });

  it("reads again on a reopened connection", () => {
    noteReceived();
    const [one] = openTwo();
    one.sharedDataVersion();
    let reads = 0;
    const dataVersion = one.dataVersion.bind(one);
    one.dataVersion = () => {
      reads++;
      return dataVersion();
    };
    one.sharedDataVersion();
    expect(reads).toBe(0);
    one.generation++;
    one.sharedDataVersion();
    expect(reads).toBe(1);
  });
});
