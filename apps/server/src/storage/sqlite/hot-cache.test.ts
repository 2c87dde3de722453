import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteDatabase } from "./database.js";
import { HotCache } from "./hot-cache.js";

describe("HotCache", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  function openTwo(): [SqliteDatabase, SqliteDatabase] {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-hot-"));
    const path = join(dir, "hot.db");
    const one = new SqliteDatabase(path, { migrations: [] });
    const two = new SqliteDatabase(path, { migrations: [] });
    cleanups.push(() => {
      one.close();
      two.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return [one, two];
  }

  it("keeps at most `capacity` entries, dropping the oldest", () => {
    const [db] = openTwo();
    const cache = new HotCache<number>(db, 3);
    cache.validate();
    for (const [i, key] of ["a", "b", "c", "d"].entries()) cache.set(key, i);
    expect(cache.size).toBe(3);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("d")).toBe(3);
  });

  it("when full, drops the oldest tenth in one pass and keeps the rest", () => {
    const [db] = openTwo();
    const cache = new HotCache<number>(db, 100);
    cache.validate();
    for (let i = 0; i <= 100; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(90);
    expect(cache.get("k10")).toBeUndefined();
    expect(cache.get("k11")).toBe(11);
    expect(cache.get("k100")).toBe(100);
    // Re-setting a key makes it the newest: it outlives older ones at the next drop.
    cache.set("k11", 11);
    for (let i = 101; i <= 111; i++) cache.set(`k${i}`, i);
    expect(cache.get("k11")).toBe(11);
    expect(cache.get("k12")).toBeUndefined();
  });

  it("starts over after another connection commits, not after its own", () => {
    const [one, two] = openTwo();
    one.write(() => one.raw.exec("CREATE TABLE t (x INTEGER)"));
    const cache = new HotCache<number>(one, 10);
    cache.validate();
    cache.set("k", 1);
    one.write(() => one.stmt("INSERT INTO t VALUES (1)").run());
    cache.validate();
    expect(cache.get("k")).toBe(1);
    two.write(() => two.stmt("INSERT INTO t VALUES (2)").run());
    cache.validate();
    expect(cache.get("k")).toBeUndefined();
  });
});
