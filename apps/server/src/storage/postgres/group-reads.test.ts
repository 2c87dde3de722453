import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../platform/errors.js";
import { groupReads } from "./group-reads.js";
import { createTestPostgresStore } from "./test-store.js";

/** A promise and its resolver, to hold a statement open without sleeping. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe("groupReads", () => {
  it("answers lookups that arrive while a statement runs with one statement, each its own value", async () => {
    const calls: string[][] = [];
    const first = gate();
    const read = groupReads<string, string>(async (keys) => {
      calls.push(keys);
      if (calls.length === 1) await first.wait;
      return keys.map((k) => k.toUpperCase());
    });
    const alone = read("a");
    const grouped = ["b", "c", "d"].map(read);
    first.open();
    expect(await alone).toBe("A");
    expect(await Promise.all(grouped)).toEqual(["B", "C", "D"]);
    expect(calls).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("never answers a lookup with a statement sent before it was asked for", async () => {
    // The freshness a revocation check needs: a lookup asked while a statement is in flight waits
    // for the next one (which starts after it), however long the first one takes.
    let version = 0;
    const first = gate();
    const read = groupReads<string, number>(async (keys) => {
      const seen = version;
      if (seen === 0) await first.wait;
      return keys.map(() => seen);
    });
    const before = read("x");
    version = 1; // a commit between the first statement and the second lookup
    const after = read("x");
    first.open();
    expect(await before).toBe(0);
    expect(await after).toBe(1);
  });

  it("retries a failed group key by key, so only the lookup at fault fails", async () => {
    const first = gate();
    let calls = 0;
    const read = groupReads<string, string>(async (keys) => {
      calls += 1;
      if (calls === 1) await first.wait;
      if (keys.includes("bad")) throw new Error("invalid input");
      return keys;
    });
    const alone = read("a");
    const results = Promise.allSettled([read("b"), read("bad"), read("c")]);
    first.open();
    await alone;
    const [b, bad, c] = await results;
    expect(b).toEqual({ status: "fulfilled", value: "b" });
    expect(bad).toMatchObject({ status: "rejected", reason: { message: "invalid input" } });
    expect(c).toEqual({ status: "fulfilled", value: "c" });
  });

  it("fails every lookup of a group with the database's 503, without retrying each", async () => {
    const first = gate();
    let calls = 0;
    const read = groupReads<string, string>(async (keys) => {
      calls += 1;
      if (calls === 1) {
        await first.wait;
        return keys;
      }
      throw new ApiError("service_unavailable", "The database is unavailable.");
    });
    const alone = read("a");
    const results = Promise.allSettled([read("b"), read("c")]);
    first.open();
    await alone;
    for (const r of await results) {
      expect(r).toMatchObject({ status: "rejected", reason: { code: "service_unavailable" } });
    }
    expect(calls).toBe(2);
  });
});

describe("group reads in the PostgreSQL stores", () => {
  const store = createTestPostgresStore({ shareKey: "group-reads" });
  const q = store.db.query;
  const [alice, bob, carol] = ["agt_gr_alice", "agt_gr_bob", "agt_gr_carol"];

  beforeAll(async () => {
    await q(
      `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
       SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
      [[alice, bob, carol]],
    );
    await q(
      `INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at)
       VALUES ('key_gr', $1, 'k', 'fxk_gr', 'secret-gr', 0)`,
      [alice],
    );
    await q(
      `INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at)
       VALUES ('h1', 'ses_1', $1, 'key_gr', 0, 1000, NULL), ('h2', 'ses_2', $1, 'key_gr', 0, 2000, 5)`,
      [alice],
    );
    await q(
      `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at)
       VALUES ('cnv_gr', 'group', 'g', $1, 2, 0, 0, 0)`,
      [alice],
    );
    await q(
      `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
       VALUES ('cnv_gr', $1, 'owner', 0), ('cnv_gr', $2, 'member', 0)`,
      [alice, bob],
    );
    await q(
      `INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
       VALUES ('blk_gr', $1, 'agent', $2, 0)`,
      [bob, alice],
    );
  });
  afterAll(() => store.close());

  it("looks concurrent requests' sessions up in one statement, each with its own state", async () => {
    await store.auth.getSession("h1"); // migrations applied: what follows is asked together
    const spy = vi.spyOn(store.db, "query");
    try {
      const [one, missing, revoked, again] = await Promise.all(
        ["h1", "nope", "h2", "h1"].map((h) => store.auth.getSession(h)),
      );
      expect(one).toEqual({
        id: "ses_1",
        agentId: alice,
        apiKeyId: "key_gr",
        expiresAt: 1000,
        revokedAt: null,
      });
      expect(missing).toBeNull();
      expect(revoked).toMatchObject({ id: "ses_2", revokedAt: 5 });
      expect(again).toEqual(one);
      // The first lookup goes out alone at once; the three asked meanwhile share the next statement.
      expect(spy.mock.calls.length).toBe(2);
    } finally {
      spy.mockRestore();
    }
    // A revocation committed before a lookup is seen by it.
    await q("UPDATE sessions SET revoked_at = 7 WHERE id_hash = 'h1'");
    expect(await store.auth.getSession("h1")).toMatchObject({ revokedAt: 7 });
  });

  it("checks concurrent message pages' membership in one statement, each with its own answer", async () => {
    const window = { direction: "desc", seq: null } as const;
    await store.chat.listMessages(alice, "cnv_gr", window, 10);
    // The access statement goes through queryRows (bench/README.md, PostgreSQL round 9).
    const spy = vi.spyOn(store.db, "queryRows");
    const rows = vi.spyOn(store.db, "query");
    try {
      const pages = await Promise.all([
        store.chat.listMessages(alice, "cnv_gr", window, 10),
        store.chat.listMessages(bob, "cnv_gr", window, 10),
        store.chat.listMessages(carol, "cnv_gr", window, 10),
        store.chat.listMessages(alice, "cnv_missing", window, 10),
      ]);
      expect(pages.map((p) => p.ok)).toEqual([true, true, false, false]);
      expect(pages[2]).toEqual({ ok: false, code: "not_found" });
      // Alice's page: one statement alone; the three asked meanwhile share the next one. No row
      // reads: the (empty) conversation's newest messages are in this instance's tail.
      expect(spy.mock.calls.length).toBe(2);
      expect(rows.mock.calls.length).toBe(0);
    } finally {
      spy.mockRestore();
      rows.mockRestore();
    }
  });
});
