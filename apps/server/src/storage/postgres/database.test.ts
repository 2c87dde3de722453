import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../platform/errors.js";
import { findMigrations } from "../migrations.js";
import { binaryArrays } from "./binary-arrays.js";
import { bindNamed, isConnectionFailure } from "./database.js";
import { createTestPostgresStore } from "./test-store.js";

/** Every PostgreSQL migration's name, in order: each must be applied exactly once. */
const migrationNames = findMigrations("postgres").map((m) => m.name);

type TestStore = ReturnType<typeof createTestPostgresStore>;
const open: TestStore[] = [];
const store = (options: Parameters<typeof createTestPostgresStore>[0] = {}) => {
  const s = createTestPostgresStore(options);
  open.push(s);
  return s;
};
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** A promise and its resolver, to line transactions up without sleeping. */
function gate(): { wait: Promise<void>; open: () => void } {
  let release = () => {};
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait, open: release };
}

describe("bindNamed", () => {
  it("turns @names into positional parameters, reusing the number of a repeated name", () => {
    expect(bindNamed("SELECT @a, @b, @a::text", { a: 1, b: "x" })).toEqual({
      text: "SELECT $1, $2, $1::text",
      values: [1, "x"],
    });
  });

  it("refuses a name without a value rather than binding undefined", () => {
    expect(() => bindNamed("SELECT @missing", {})).toThrow(/@missing/);
  });
});

describe("PgDatabase", () => {
  it("applies migrations once when several instances start together on one schema", async () => {
    const schema = `fluxra_test_${process.pid}_race_${randomBytes(4).toString("hex")}`;
    const first = store({ schema });
    const others = [1, 2, 3].map(() => store({ schema }));
    await Promise.all([first, ...others].map((s) => s.ready()));
    const rows = await first.db.query<{ name: string }>(
      "SELECT name FROM applied_migrations ORDER BY name",
    );
    expect(rows.map((r) => r.name)).toEqual(migrationNames);
  });

  it("retries a transaction chosen as a deadlock victim, so both writers succeed", async () => {
    const s = store();
    await s.db.query(
      "INSERT INTO server_secrets (name, value, created_at) VALUES ('x', '0', 0), ('y', '0', 0)",
    );
    const bothLocked = { x: gate(), y: gate() };
    const attempts = { a: 0, b: 0 };
    // a locks x then y; b locks y then x: PostgreSQL aborts one with 40P01, the retry succeeds.
    const run = (me: "a" | "b", first: "x" | "y", second: "x" | "y") =>
      s.db.tx(async (q) => {
        attempts[me] += 1;
        await q("UPDATE server_secrets SET value = value || $1 WHERE name = $2", [me, first]);
        if (attempts[me] === 1) {
          bothLocked[first].open();
          await bothLocked[second].wait;
        }
        await q("UPDATE server_secrets SET value = value || $1 WHERE name = $2", [me, second]);
        return me;
      });
    expect(await Promise.all([run("a", "x", "y"), run("b", "y", "x")])).toEqual(["a", "b"]);
    // At least one retry; more when the victim's retry wins the freed row and deadlocks again.
    expect(attempts.a + attempts.b).toBeGreaterThanOrEqual(3);
    const rows = await s.db.query<{ value: string }>(
      "SELECT value FROM server_secrets WHERE name IN ('x', 'y') ORDER BY name",
    );
    // Each row got exactly one write from each transaction: the victim's first try rolled back.
    for (const r of rows) expect([...r.value].sort().join("")).toBe("0ab");
  });

  it("rolls back and rethrows an ordinary error without retrying", async () => {
    const s = store();
    let attempts = 0;
    await expect(
      s.db.tx(async (q) => {
        attempts += 1;
        await q("INSERT INTO server_secrets (name, value, created_at) VALUES ('z', '1', 0)");
        await q("SELECT 1 / 0");
      }),
    ).rejects.toMatchObject({ code: "22012" });
    expect(attempts).toBe(1);
    expect(await s.db.query("SELECT 1 FROM server_secrets WHERE name = 'z'")).toEqual([]);
  });

  it("prepares each statement once per connection and re-plans it after a schema change", async () => {
    const s = store();
    const lookup = "SELECT value FROM server_secrets WHERE name = @name";
    await s.db.query("INSERT INTO server_secrets (name, value, created_at) VALUES ('p', '1', 0)");
    const prepared = await s.db.read(async (q) => {
      // The pool hands this read one connection: run the lookup on it twice, then ask it.
      expect(await q(lookup, { name: "p" })).toEqual([{ value: "1" }]);
      expect(await q(lookup, { name: "p" })).toEqual([{ value: "1" }]);
      return q<{ plans: number }>(
        `SELECT generic_plans + custom_plans AS plans FROM pg_prepared_statements
         WHERE statement = 'SELECT value FROM server_secrets WHERE name = $1'`,
      );
    });
    // One prepared statement on the connection, run twice (without names: none, each parsed anew).
    expect(prepared).toEqual([{ plans: 2 }]);
    // A migration changing the table under the prepared statement: PostgreSQL re-plans it.
    await s.db.query("ALTER TABLE server_secrets ADD COLUMN extra TEXT");
    await s.db.query("CREATE INDEX server_secrets_by_value ON server_secrets (value)");
    expect(await s.db.query(lookup, { name: "p" })).toEqual([{ value: "1" }]);
  });

  it("reports an unreachable server as 503 service_unavailable", async () => {
    const s = store({ url: "postgres://postgres@127.0.0.1:1/postgres" });
    const err = await s.platform.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("service_unavailable");
    expect((err as ApiError).status).toBe(503);
    expect(isConnectionFailure((err as ApiError).cause)).toBe(true);
  });
});

describe("PgDatabase.queryRows (the send batch's statement path)", () => {
  const fields = (f: (string | null)[]) => f;

  it("decodes each row's text fields in column order, parsing the statement once per connection", async () => {
    const s = store({ maxConnections: 1 });
    const sql = `SELECT x AS t, length(x) AS n, x IS NULL AS missing, $2::bigint[] AS b
      FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i`;
    const [texts, bigints] = binaryArrays([['a "b"', null, "é"]], [[-1, 2 ** 40]]);
    for (let i = 0; i < 3; i++) {
      expect(await s.db.queryRows(sql, [texts ?? null, bigints ?? null], fields)).toEqual([
        ['a "b"', "5", "f", "{-1,1099511627776}"],
        [null, null, "t", "{-1,1099511627776}"],
        ["é", "1", "f", "{-1,1099511627776}"],
      ]);
    }
    // One pooled connection: the statement was prepared on it once and executed three times.
    const [prepared] = await s.db.query<{ plans: number }>(
      `SELECT generic_plans + custom_plans AS plans FROM pg_prepared_statements
       WHERE statement = $1`,
      [sql],
    );
    expect(prepared).toEqual({ plans: 3 });
  });

  it("fails only its own call on an error, and the connection serves the next one", async () => {
    const s = store({ maxConnections: 1 });
    const divide = "SELECT 10 / $1::integer AS q";
    await expect(s.db.queryRows(divide, ["0"], fields)).rejects.toMatchObject({ code: "22012" });
    expect(await s.db.queryRows(divide, ["5"], fields)).toEqual([["2"]]);
    // A statement the server refuses to parse is parsed again (and refused again) next time,
    // not executed as if it had been prepared.
    const bad = "SELECT nonsense FROM nowhere_at_all";
    for (let i = 0; i < 2; i++) {
      await expect(s.db.queryRows(bad, [], fields)).rejects.toMatchObject({ code: "42P01" });
    }
    // A decoder that throws fails its call; the connection still answers afterwards.
    const boom = () => {
      throw new Error("bad row");
    };
    await expect(s.db.queryRows("SELECT 1", [], boom)).rejects.toThrow("bad row");
    expect(await s.db.queryRows("SELECT 2", [], fields)).toEqual([["2"]]);
  });

  it("answers 503 service_unavailable when the connection dies under it, and recovers", async () => {
    const s = store({ maxConnections: 1 });
    const [pid] = await s.db.queryRows("SELECT pg_backend_pid()", [], (f) => f[0]);
    const pending = s.db.queryRows("SELECT pg_sleep(30)", [], fields).catch((e: unknown) => e);
    const killer = store();
    // Terminated mid-statement (once the server runs it): the socket closes under the call.
    for (let i = 0; i < 200; i++) {
      const [row] = await killer.db.query<{ active: boolean }>(
        "SELECT state = 'active' AS active FROM pg_stat_activity WHERE pid = $1::integer",
        [pid],
      );
      if (row?.active) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await killer.db.query("SELECT pg_terminate_backend($1::integer)", [pid]);
    const err = await pending;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect(await s.db.queryRows("SELECT 3", [], fields)).toEqual([["3"]]);
  });
});
