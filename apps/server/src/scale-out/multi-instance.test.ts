import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findMigrations } from "../storage/migrations.js";
import { registerAgent, type TestAgent } from "../testing/index.js";
import { type Cluster, type Instance, startCluster } from "./cluster.js";

/** Every PostgreSQL migration's name, in order: each must be applied exactly once. */
const migrationNames = findMigrations("postgres").map((m) => m.name);

// Three real `fluxra-server` processes (the CLI via tsx) on one fresh PostgreSQL database. Every
// cross-request invariant must hold whichever instance answers.
let cluster: Cluster;
let a: Instance;
let b: Instance;
let c: Instance;
let alice: TestAgent;
let bob: TestAgent;
let carol: TestAgent;

/** The instance for the i-th request of a burst: round robin, like a load balancer. */
const pick = (i: number): Instance => cluster.instances[i % cluster.instances.length] as Instance;

beforeAll(async () => {
  cluster = await startCluster(3);
  [a, b, c] = cluster.instances as [Instance, Instance, Instance];
  // Registered through different instances; the fixtures' three calls all go to that one.
  alice = await registerAgent({ request: a.fetch }, { handle: "alice" });
  bob = await registerAgent({ request: b.fetch }, { handle: "bob" });
  carol = await registerAgent({ request: c.fetch }, { handle: "carol" });
}, 60_000);

afterAll(async () => cluster?.close(), 30_000);

describe("three instances on one PostgreSQL database", () => {
  it("started together (migrations raced under the advisory lock) and share one signing key", async () => {
    const migrations = await cluster.sql.query("SELECT name FROM applied_migrations ORDER BY 1");
    expect(migrations.rows.map((r) => r.name)).toEqual(migrationNames);
    const jwks = await Promise.all(cluster.instances.map((i) => i.fetch("/api/auth/jwks.json")));
    expect(new Set(jwks.map((r) => r.text)).size).toBe(1);
    // A token issued by instance a is accepted by b and c.
    for (const i of [b, c]) {
      const me = await i.fetch("/api/agents/me", { token: alice.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.handle).toBe("alice");
    }
  });

  it("turns 30 parallel direct-conversation opens in both orders across instances into one conversation", async () => {
    const opens = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const [me, other] = i % 2 === 0 ? [alice, bob] : [bob, alice];
        return pick(i).fetch("/api/conversations", {
          method: "POST",
          token: me.accessToken,
          json: { type: "direct", agent_id: other.id },
        });
      }),
    );
    expect(opens.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(new Set(opens.map((r) => r.body.id)).size).toBe(1);
    expect(opens.filter((r) => r.status === 201)).toHaveLength(1);
    const rows = await cluster.sql.query("SELECT count(*)::int AS n FROM conversations");
    expect(rows.rows[0].n).toBe(1);
  });

  it("gives 60 concurrent sends through different instances gap-free, strictly increasing seq", async () => {
    const group = await a.fetch("/api/conversations", {
      method: "POST",
      token: alice.accessToken,
      json: { type: "group", title: "Race", member_ids: [bob.id, carol.id] },
    });
    expect(group.status).toBe(201);
    const id: string = group.body.id;
    const authors = [alice, bob, carol];
    const sends = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        pick(i).fetch(`/api/conversations/${id}/messages`, {
          method: "POST",
          token: (authors[i % 3] as TestAgent).accessToken,
          json: { content: `message ${i}` },
        }),
      ),
    );
    expect(sends.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const seqs = sends.map((r) => r.body.seq as number).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Read back through the third instance: every acknowledged message, newest first.
    const listed = await c.fetch(`/api/conversations/${id}/messages?limit=100`, {
      token: carol.accessToken,
    });
    expect(listed.status).toBe(200);
    const got = listed.body.data as { id: string; seq: number }[];
    expect(got.map((m) => m.seq)).toEqual([...seqs].reverse());
    const sentIds = new Set(sends.map((r) => r.body.id));
    expect(got.every((m) => sentIds.has(m.id))).toBe(true);
  });

  it("refuses a session revoked on one instance on every other instance at the next request", async () => {
    const second = await b.fetch("/api/auth/token", {
      method: "POST",
      json: { api_key: carol.apiKey },
    });
    expect(second.status).toBe(200);
    for (const i of cluster.instances) {
      expect((await i.fetch("/api/agents/me", { token: carol.accessToken })).status).toBe(200);
    }
    const revoked = await a.fetch(`/api/auth/sessions/${carol.sessionId}`, {
      method: "DELETE",
      token: second.body.access_token,
    });
    expect(revoked.status).toBe(204);
    for (const i of [b, c, a]) {
      const res = await i.fetch("/api/agents/me", { token: carol.accessToken });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("session_revoked");
    }
    // The other session lives on everywhere.
    expect((await c.fetch("/api/agents/me", { token: second.body.access_token })).status).toBe(200);
  });

  it("replays an idempotent POST retried on another instance, and refuses a changed body", async () => {
    const send = (i: Instance, name: string) =>
      i.fetch("/api/auth/api-keys", {
        method: "POST",
        token: bob.accessToken,
        json: { name },
        headers: { "Idempotency-Key": "scale-out-1" },
      });
    const first = await send(a, "ci");
    expect(first.status).toBe(201);
    const again = await send(b, "ci");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const changed = await send(c, "other");
    expect(changed.status).toBe(422);
    expect(changed.body.error.code).toBe("idempotency_key_reused");
    const keys = await cluster.sql.query(
      "SELECT count(*)::int AS n FROM api_keys WHERE agent_id = $1 AND name = 'ci'",
      [bob.id],
    );
    expect(keys.rows[0].n).toBe(1);
  });

  it("answers 409 idempotency_in_progress on another instance while the first request still runs", async () => {
    // Hold inserts into api_keys so instance a's request stops right after claiming its key.
    const blocker = await cluster.sql.connect();
    let first: Promise<Awaited<ReturnType<Instance["fetch"]>>> | undefined;
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE");
      first = a.fetch("/api/auth/api-keys", {
        method: "POST",
        token: bob.accessToken,
        json: { name: "slow" },
        headers: { "Idempotency-Key": "scale-out-2" },
      });
      // Wait for the claim to be visible (a condition, not a delay): then a is mid-request.
      for (;;) {
        const claimed = await cluster.sql.query(
          "SELECT 1 FROM idempotency_keys WHERE key = 'scale-out-2' AND status IS NULL",
        );
        if (claimed.rowCount === 1) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const meanwhile = await b.fetch("/api/auth/api-keys", {
        method: "POST",
        token: bob.accessToken,
        json: { name: "slow" },
        headers: { "Idempotency-Key": "scale-out-2" },
      });
      expect(meanwhile.status).toBe(409);
      expect(meanwhile.body.error.code).toBe("idempotency_in_progress");
    } finally {
      await blocker.query("COMMIT");
      blocker.release();
    }
    const done = await first;
    expect(done?.status).toBe(201);
    const replay = await c.fetch("/api/auth/api-keys", {
      method: "POST",
      token: bob.accessToken,
      json: { name: "slow" },
      headers: { "Idempotency-Key": "scale-out-2" },
    });
    expect(replay.status).toBe(201);
    expect(replay.body.key.id).toBe(done?.body.key.id);
  });

  it("counts one rate limit across instances (registrations per client address)", async () => {
    // 20 registrations per hour per address; alice, bob and carol used 3 through a, b and c.
    // (The servers use the real clock: a run that straddles a full hour would see a new window.)
    const remaining: number[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 18; i++) {
      const res = await pick(i).fetch("/api/auth/register", {
        method: "POST",
        json: { handle: `limited-${i}` },
      });
      statuses.push(res.status);
      remaining.push(Number(res.headers.get("ratelimit-remaining")));
    }
    expect(statuses).toEqual([...Array(17).fill(201), 429]);
    expect(remaining).toEqual([...Array.from({ length: 17 }, (_, i) => 16 - i), 0]);
  });
});

// With rate limits off, list and send check the session inside their own statement (guard.ts
// `foldSession`): revocation on one instance must still be refused on the other at once, for
// every revocation, and a refused send must write nothing.
describe("two instances with the session check folded into list and send", () => {
  let pair: Cluster;
  beforeAll(async () => {
    pair = await startCluster(2, { FLUXRA_RATE_LIMITS: "off" });
  }, 60_000);
  afterAll(async () => pair?.close(), 30_000);

  it("refuses on the other instance, at the next request, a session revoked or an agent deactivated on one", async () => {
    const [one, other] = pair.instances as [Instance, Instance];
    const dave = await registerAgent({ request: one.fetch }, { handle: "dave" });
    const erin = await registerAgent({ request: other.fetch }, { handle: "erin" });
    const group = await one.fetch("/api/conversations", {
      method: "POST",
      token: dave.accessToken,
      json: { type: "group", title: "Folded", member_ids: [erin.id] },
    });
    expect(group.status).toBe(201);
    const path = `/api/conversations/${group.body.id}/messages`;
    const messages = async () =>
      (await pair.sql.query("SELECT count(*)::int AS n FROM messages")).rows[0].n as number;
    // Five sessions of Dave's, each used on both instances, revoked on one, refused on the other.
    for (let round = 0; round < 5; round++) {
      const session = await other.fetch("/api/auth/token", {
        method: "POST",
        json: { api_key: dave.apiKey },
      });
      const token: string = session.body.access_token;
      for (const i of [one, other]) {
        expect((await i.fetch(path, { token })).status).toBe(200);
        const sent = await i.fetch(path, { method: "POST", token, json: { content: `r${round}` } });
        expect(sent.status).toBe(201);
      }
      const before = await messages();
      const [revoker, refuser] = round % 2 === 0 ? [one, other] : [other, one];
      const revoked = await revoker.fetch(`/api/auth/sessions/${session.body.session_id}`, {
        method: "DELETE",
        token: dave.accessToken,
      });
      expect(revoked.status).toBe(204);
      const list = await refuser.fetch(path, { token });
      const send = await refuser.fetch(path, { method: "POST", token, json: { content: "no" } });
      for (const res of [list, send]) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe("session_revoked");
      }
      expect(await messages()).toBe(before);
    }
    // Erin deactivated on one instance: her token is refused on the other for list and send.
    expect((await other.fetch(path, { token: erin.accessToken })).status).toBe(200);
    const gone = await one.fetch("/api/agents/me", { method: "DELETE", token: erin.recoveryKey });
    expect(gone.status).toBe(204);
    const before = await messages();
    for (const res of [
      await other.fetch(path, { token: erin.accessToken }),
      await other.fetch(path, { method: "POST", token: erin.accessToken, json: { content: "x" } }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("session_revoked");
    }
    expect(await messages()).toBe(before);
  }, 60_000);
});
