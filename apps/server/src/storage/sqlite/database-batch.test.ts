import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSqliteStore, type SqliteStore } from "./index.js";

let dir: string;
let store: SqliteStore;
/** A second connection to the same file: it only sees what the first one committed. */
let other: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-batch-"));
  const path = join(dir, "batch.db");
  store = createSqliteStore(path);
  store.db.raw.exec(
    `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE) STRICT;
     CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;
     CREATE TABLE child (id INTEGER PRIMARY KEY,
       parent_id INTEGER NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED) STRICT;`,
  );
  other = new Database(path);
  other.pragma("busy_timeout = 5000");
});

afterEach(async () => {
  if (other.inTransaction) other.exec("ROLLBACK");
  other.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => store.db.stmt("INSERT INTO t (v) VALUES (?)").run(v);
/** Values of `t` as the second connection sees them (committed rows only). */
const committed = () =>
  (other.prepare("SELECT v FROM t ORDER BY id").pluck().all() as string[]).slice();
/** Values of `t` as the first connection sees them (its own open transaction included). */
const visible = () => store.db.raw.prepare("SELECT v FROM t ORDER BY id").pluck().all() as string[];

describe("writeBatched", () => {
  it("commits every write queued in one turn in one transaction, results in order", async () => {
    const seenByOther: number[] = [];
    const seenByOwn: number[] = [];
    const inTx: boolean[] = [];
    const promises = Array.from({ length: 20 }, (_, i) =>
      store.db.writeBatched(() => {
        // Nothing of the batch is committed while it runs…
        seenByOther.push(committed().length);
        // …but each write sees the earlier ones of the same transaction.
        seenByOwn.push(visible().length);
        inTx.push(store.db.raw.inTransaction);
        insert(`v${i}`);
        return i * 10;
      }),
    );
    // Nothing runs before the flush.
    expect(committed()).toEqual([]);
    expect(visible()).toEqual([]);
    const results = await Promise.all(promises);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(seenByOther).toEqual(Array(20).fill(0));
    expect(seenByOwn).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(inTx).toEqual(Array(20).fill(true));
    expect(committed()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    expect(store.db.raw.inTransaction).toBe(false);
  });

  it("settles its promises only after COMMIT", async () => {
    let seenWhenSettled: string[] | undefined;
    await store.db
      .writeBatched(() => insert("a"))
      .then(() => {
        seenWhenSettled = committed();
      });
    expect(seenWhenSettled).toEqual(["a"]);
  });

  it("rolls back only the write that threw, and rejects only its promise", async () => {
    const boom = new Error("boom");
    const results = await Promise.allSettled([
      store.db.writeBatched(() => insert("a")),
      store.db.writeBatched(() => {
        insert("b1");
        insert("b2");
        throw boom;
      }),
      store.db.writeBatched(() => {
        insert("c");
        return "c";
      }),
      // A constraint error in the middle of a write: its earlier statement is rolled back too.
      store.db.writeBatched(() => {
        insert("d");
        insert("a");
      }),
      store.db.writeBatched(() => "e"),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toBe(boom);
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe("c");
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({
      code: "SQLITE_CONSTRAINT_UNIQUE",
    });
    expect(committed()).toEqual(["a", "c"]);
  });

  it("runs each write once when none throws, and again (in a savepoint) when another one threw", async () => {
    const runs = { a: 0, b: 0, c: 0 };
    await Promise.all([
      store.db.writeBatched(() => insert(`a${++runs.a}`)),
      store.db.writeBatched(() => insert(`b${++runs.b}`)),
    ]);
    expect(runs).toEqual({ a: 1, b: 1, c: 0 });
    const results = await Promise.allSettled([
      store.db.writeBatched(() => {
        insert(`a-run${++runs.a}`);
        return runs.a;
      }),
      store.db.writeBatched(() => {
        runs.b++;
        insert("b-fails");
        throw new Error("b fails");
      }),
      store.db.writeBatched(() => {
        insert(`c-run${++runs.c}`);
        return runs.c;
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // The first pass rolled back whole; what is stored and returned is the second pass's.
    expect(runs).toEqual({ a: 3, b: 3, c: 1 });
    expect((results[0] as PromiseFulfilledResult<number>).value).toBe(3);
    expect((results[2] as PromiseFulfilledResult<number>).value).toBe(1);
    expect(committed()).toEqual(["a1", "b1", "a-run3", "c-run1"]);
  });

  it("runs afterCommit callbacks after COMMIT, in order, and never for a write that threw", async () => {
    const log: string[] = [];
    const cb = (name: string) => () => {
      log.push(`${name}:${committed().join(",")}`);
    };
    const results = await Promise.allSettled([
      store.db.writeBatched(() => {
        insert("a");
        store.db.afterCommit(cb("a1"));
        store.db.afterCommit(cb("a2"));
      }),
      store.db.writeBatched(() => {
        insert("b");
        store.db.afterCommit(cb("b"));
        throw new Error("b fails");
      }),
      store.db.writeBatched(() => {
        // A nested write inside a batched one: its callback belongs to the batch's commit.
        store.db.write(() => {
          insert("c");
          store.db.afterCommit(cb("c"));
        });
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // Each callback already sees the whole batch committed (a second connection reads it).
    expect(log).toEqual(["a1:a,c", "a2:a,c", "c:a,c"]);
  });

  it("runs afterCommit callbacks before the promises settle", async () => {
    const log: string[] = [];
    await store.db
      .writeBatched(() => {
        insert("a");
        store.db.afterCommit(() => log.push("callback"));
      })
      .then(() => log.push("resolved"));
    expect(log).toEqual(["callback", "resolved"]);
  });

  it("still settles every promise when an afterCommit callback throws", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const log: string[] = [];
      const results = await Promise.all([
        store.db.writeBatched(() => {
          insert("a");
          store.db.afterCommit(() => {
            throw new Error("callback fails");
          });
          store.db.afterCommit(() => log.push("a2"));
          return 1;
        }),
        store.db.writeBatched(() => {
          insert("b");
          store.db.afterCommit(() => log.push("b"));
          return 2;
        }),
      ]);
      expect(results).toEqual([1, 2]);
      expect(log).toEqual(["a2", "b"]);
      expect(error).toHaveBeenCalledTimes(1);
      expect(committed()).toEqual(["a", "b"]);
    } finally {
      error.mockRestore();
    }
  });

  it("throws from afterCommit outside a write", async () => {
    expect(() => store.db.afterCommit(() => {})).toThrow(/outside a write/);
    // Also after a batch has run (the batch must not leave its callback list behind)…
    await store.db.writeBatched(() => insert("a"));
    expect(() => store.db.afterCommit(() => {})).toThrow(/outside a write/);
    // …and after a batch whose write threw.
    await expect(
      store.db.writeBatched(() => {
        throw new Error("x");
      }),
    ).rejects.toThrow("x");
    expect(() => store.db.afterCommit(() => {})).toThrow(/outside a write/);
    // …and after a write() that threw.
    expect(() =>
      store.db.write(() => {
        throw new Error("y");
      }),
    ).toThrow("y");
    expect(() => store.db.afterCommit(() => {})).toThrow(/outside a write/);
  });

  it("rejects the whole batch and stores nothing when BEGIN fails (database locked)", async () => {
    other.exec("BEGIN IMMEDIATE");
    store.db.raw.pragma("busy_timeout = 10");
    const ran: string[] = [];
    const callbacks: string[] = [];
    const batch = ["a", "b", "c"].map((v) =>
      store.db.writeBatched(() => {
        ran.push(v);
        insert(v);
        store.db.afterCommit(() => callbacks.push(v));
        return v;
      }),
    );
    const results = await Promise.allSettled(batch);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "SQLITE_BUSY" });
    }
    expect(ran).toEqual([]);
    expect(callbacks).toEqual([]);
    other.exec("ROLLBACK");
    expect(committed()).toEqual([]);
    expect(store.db.raw.inTransaction).toBe(false);

    // The next batch, once the lock is gone, works.
    store.db.raw.pragma("busy_timeout = 5000");
    const next = await Promise.all([
      store.db.writeBatched(() => {
        insert("d");
        store.db.afterCommit(() => callbacks.push("d"));
        return "d";
      }),
      store.db.writeBatched(() => insert("e").changes),
    ]);
    expect(next).toEqual(["d", 1]);
    expect(callbacks).toEqual(["d"]);
    expect(committed()).toEqual(["d", "e"]);
  });

  it("rejects the whole batch and stores nothing when COMMIT fails", async () => {
    // A deferred foreign key is checked at COMMIT, not when a savepoint is released: one write
    // leaving an orphan makes the batch's COMMIT fail.
    const callbacks: string[] = [];
    const results = await Promise.allSettled([
      store.db.writeBatched(() => {
        insert("a");
        store.db.afterCommit(() => callbacks.push("a"));
        return "a";
      }),
      store.db.writeBatched(() => {
        store.db.stmt("INSERT INTO child (id, parent_id) VALUES (1, 999)").run();
        store.db.afterCommit(() => callbacks.push("orphan"));
      }),
      store.db.writeBatched(() => {
        insert("c");
        store.db.afterCommit(() => callbacks.push("c"));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: "SQLITE_CONSTRAINT_FOREIGNKEY",
      });
    }
    expect(callbacks).toEqual([]);
    expect(store.db.raw.inTransaction).toBe(false);
    expect(committed()).toEqual([]);
    expect(other.prepare("SELECT count(*) FROM child").pluck().get()).toBe(0);

    // The connection is fine afterwards.
    await expect(store.db.writeBatched(() => insert("ok").changes)).resolves.toBe(1);
    expect(committed()).toEqual(["ok"]);
  });

  it("rejects the whole batch when a write ends the transaction itself", async () => {
    const callbacks: string[] = [];
    const results = await Promise.allSettled([
      store.db.writeBatched(() => {
        insert("a");
        store.db.afterCommit(() => callbacks.push("a"));
      }),
      store.db.writeBatched(() => {
        insert("b");
        // What a full disk or an I/O error does: SQLite rolls back the whole transaction.
        store.db.raw.exec("ROLLBACK");
        throw new Error("transaction lost");
      }),
      store.db.writeBatched(() => {
        insert("c");
        store.db.afterCommit(() => callbacks.push("c"));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(callbacks).toEqual([]);
    expect(store.db.raw.inTransaction).toBe(false);
    expect(committed()).toEqual([]);
    await expect(store.db.writeBatched(() => insert("d").changes)).resolves.toBe(1);
    expect(committed()).toEqual(["d"]);
  });

  it("puts writes queued from a batch's continuation into a later batch", async () => {
    const seen: string[][] = [];
    const first = store.db.writeBatched(() => insert("a"));
    const chained = first.then(() =>
      store.db.writeBatched(() => {
        // Runs in its own, later transaction: the first batch is already committed.
        seen.push(committed());
        insert("b");
        return "b";
      }),
    );
    await expect(chained).resolves.toBe("b");
    expect(seen).toEqual([["a"]]);
    expect(committed()).toEqual(["a", "b"]);
  });

  it("puts writes queued from inside a batched write or its callback into a later batch", async () => {
    const seen: { inner?: string[]; callback?: string[] } = {};
    let inner: Promise<string> | undefined;
    let fromCallback: Promise<string> | undefined;
    await store.db.writeBatched(() => {
      insert("outer");
      inner = store.db.writeBatched(() => {
        seen.inner = committed();
        insert("inner");
        return "inner";
      });
      store.db.afterCommit(() => {
        fromCallback = store.db.writeBatched(() => {
          seen.callback = committed();
          insert("callback");
          return "callback";
        });
      });
    });
    expect(await inner).toBe("inner");
    expect(await fromCallback).toBe("callback");
    expect(seen.inner).toEqual(["outer"]);
    expect(seen.callback).toEqual(["outer"]);
    expect(committed().sort()).toEqual(["callback", "inner", "outer"]);
  });

  it("lets write() run while a batch is queued, and the batch still commits", async () => {
    const queued = store.db.writeBatched(() => insert("batched").changes);
    store.db.write(() => insert("direct"));
    expect(committed()).toEqual(["direct"]);
    await expect(queued).resolves.toBe(1);
    expect(committed()).toEqual(["direct", "batched"]);
  });

  it("group-commits idempotency claims: the same key claimed twice in one batch is claimed once", async () => {
    const scope = { caller: "agt_x", method: "POST", path: "/api/x", key: "k1" };
    const now = 1_000_000_000;
    const [a, b, c] = await Promise.all([
      store.platform.claimIdempotencyKey(scope, "hash", now, now - 86_400_000, now - 60_000),
      store.platform.claimIdempotencyKey(scope, "hash", now, now - 86_400_000, now - 60_000),
      store.platform.claimIdempotencyKey(
        { ...scope, key: "k2" },
        "hash",
        now,
        now - 86_400_000,
        now - 60_000,
      ),
    ]);
    expect(a).toEqual({ claimed: true });
    expect(b.claimed).toBe(false);
    expect(c).toEqual({ claimed: true });
    await store.platform.completeIdempotencyKey(scope, 201, '{"ok":true}', { "x-a": "1" });
    const row = other
      .prepare("SELECT status, body FROM idempotency_keys WHERE key = 'k1'")
      .get() as { status: number; body: string };
    expect(row).toEqual({ status: 201, body: '{"ok":true}' });
  });
});

describe("write", () => {
  it("runs afterCommit callbacks after COMMIT, and not when it throws", () => {
    const log: string[] = [];
    const value = store.db.write(() => {
      insert("a");
      store.db.afterCommit(() => log.push(`1:${committed().join(",")}`));
      store.db.afterCommit(() => log.push(`2:${committed().join(",")}`));
      return 7;
    });
    expect(value).toBe(7);
    expect(log).toEqual(["1:a", "2:a"]);
    expect(() =>
      store.db.write(() => {
        insert("b");
        store.db.afterCommit(() => log.push("b"));
        throw new Error("no");
      }),
    ).toThrow("no");
    expect(log).toEqual(["1:a", "2:a"]);
    expect(committed()).toEqual(["a"]);
  });

  it("nests: an inner write is part of the outer transaction, its callbacks wait for the outer COMMIT", () => {
    const log: string[] = [];
    store.db.write(() => {
      insert("outer1");
      const inner = store.db.write(() => {
        insert("inner");
        store.db.afterCommit(() => log.push(`inner:${committed().join(",")}`));
        return "i";
      });
      expect(inner).toBe("i");
      // Still uncommitted: the inner write was a savepoint.
      expect(committed()).toEqual([]);
      insert("outer2");
      store.db.afterCommit(() => log.push(`outer:${committed().join(",")}`));
    });
    expect(log).toEqual(["inner:outer1,inner,outer2", "outer:outer1,inner,outer2"]);
  });

  it("an outer write that throws after a nested write rolls both back and runs no callback", () => {
    const log: string[] = [];
    expect(() =>
      store.db.write(() => {
        store.db.write(() => {
          insert("inner");
          store.db.afterCommit(() => log.push("inner"));
        });
        throw new Error("outer fails");
      }),
    ).toThrow("outer fails");
    expect(log).toEqual([]);
    expect(committed()).toEqual([]);
  });

  // A nested write that throws is rolled back to its savepoint: the afterCommit callbacks it
  // registered must go with it, not run after the outer COMMIT. Same inside writeBatched.
  it("does not run callbacks of a nested write that threw and was rolled back to its savepoint", async () => {
    const log: string[] = [];
    store.db.write(() => {
      insert("outer");
      try {
        store.db.write(() => {
          insert("inner");
          store.db.afterCommit(() => log.push("inner"));
          throw new Error("inner fails");
        });
      } catch {
        // The outer write carries on without the inner one.
      }
      store.db.afterCommit(() => log.push("outer"));
    });
    expect(committed()).toEqual(["outer"]);
    expect(log).toEqual(["outer"]);

    const batched: string[] = [];
    await store.db.writeBatched(() => {
      try {
        store.db.write(() => {
          insert("inner2");
          store.db.afterCommit(() => batched.push("inner2"));
          throw new Error("inner fails");
        });
      } catch {
        // ignored
      }
    });
    expect(committed()).toEqual(["outer"]);
    expect(batched).toEqual([]);
  });
});
