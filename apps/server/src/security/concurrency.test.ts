import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, send, setRole } from "../domains/chat/chat-fixtures.js";
import {
  createTestApp,
  registerAgent,
  type TestAgent,
  type TestApp,
  type TestResponse,
} from "../testing/index.js";

// Threats 22, 25 and 26 of security.md, and role races: many requests at once over real HTTP.

let t: TestApp;
let http: Awaited<ReturnType<TestApp["listen"]>>;
let a: TestAgent;
let b: TestAgent;
let c: TestAgent;
beforeAll(async () => {
  t = createTestApp();
  http = await t.listen();
  [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
});
afterAll(async () => t.close());

const statuses = (list: TestResponse[]) => list.map((r) => r.status).sort();

describe("parallel idempotent POSTs with one key (security.md 22)", () => {
  it("20 sends with one key store one message; the rest replay it or wait", async () => {
    const group = await createGroup(t, a, [b]);
    const path = `/api/conversations/${group.id}/messages`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.fetch(path, {
          method: "POST",
          token: a.accessToken,
          json: { content: "exactly once" },
          headers: { "Idempotency-Key": "burst-1" },
        }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of created) expect(r.body.id).toBe(created[0]?.body.id);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect([r.status, r.body.error.code]).toEqual([409, "idempotency_in_progress"]);
    }
    const list = await http.fetch(`${path}?limit=100`, { token: a.accessToken });
    expect(
      list.body.data.filter((m: { content: string }) => m.content === "exactly once"),
    ).toHaveLength(1);
  });

  it("20 registrations and 20 group creations with one key each make one row", async () => {
    const regs = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.fetch("/api/auth/register", {
          method: "POST",
          json: { handle: "once-only" },
          headers: { "Idempotency-Key": "reg-burst" },
        }),
      ),
    );
    expect(regs.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const ids = new Set(regs.filter((r) => r.status === 201).map((r) => r.body.agent.id));
    expect(ids.size).toBe(1);
    const groups = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.fetch("/api/conversations", {
          method: "POST",
          token: c.accessToken,
          json: { type: "group", title: "once" },
          headers: { "Idempotency-Key": "grp-burst" },
        }),
      ),
    );
    expect(new Set(groups.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    const mine = await http.fetch("/api/conversations?limit=100", { token: c.accessToken });
    expect(mine.body.data.filter((x: { title: string }) => x.title === "once")).toHaveLength(1);
  });
});

describe("concurrent edit and delete of one message (security.md 26)", () => {
  it("always ends deleted; the edit succeeds before or is refused after, never resurrects", async () => {
    const group = await createGroup(t, a, [b]);
    for (let i = 0; i < 15; i++) {
      const m = await send(t, a, group.id, `draft ${i}`);
      const path = `/api/conversations/${group.id}/messages/${m.id}`;
      const [edit, del] = await Promise.all([
        http.fetch(path, { method: "PATCH", token: a.accessToken, json: { content: "edited" } }),
        http.fetch(path, { method: "DELETE", token: a.accessToken }),
      ]);
      expect(del.status).toBe(200);
      if (edit.status !== 200) {
        expect([409, 404]).toContain(edit.status);
      }
      const after = await http.fetch(path, { token: a.accessToken });
      expect(after.body.deleted_at).not.toBeNull();
      expect(after.body.content).toBeNull();
      expect(after.body.metadata).toBeNull();
    }
  });
});

describe("concurrent role changes", () => {
  it("two owners stepping down at once leave at least one owner (10 rounds)", async () => {
    for (let round = 0; round < 10; round++) {
      const group = await createGroup(t, a, [b, c]);
      await setRole(t, a, group.id, b, "owner");
      const step = (agent: TestAgent, how: "demote" | "leave") =>
        how === "demote"
          ? http.fetch(`/api/conversations/${group.id}/members/${agent.id}`, {
              method: "PATCH",
              token: agent.accessToken,
              json: { role: "member" },
            })
          : http.fetch(`/api/conversations/${group.id}/leave`, {
              method: "POST",
              token: agent.accessToken,
            });
      const how = round % 2 === 0 ? "demote" : "leave";
      const results = await Promise.all([step(a, how), step(b, how)]);
      const ok = how === "demote" ? 200 : 204;
      expect(statuses(results), `round ${round} (${how})`).toEqual([ok, 409].sort());
      const refused = results.find((r) => r.status === 409) as TestResponse;
      expect(refused.body.error.code).toBe("last_owner");
      const members = await http.fetch(`/api/conversations/${group.id}/members`, {
        token: c.accessToken,
      });
      const owners = members.body.data.filter((m: { role: string }) => m.role === "owner");
      expect(owners).toHaveLength(1);
    }
  });

  it("an owner demoting the admin while the admin removes a member: no 5xx, roles consistent", async () => {
    const group = await createGroup(t, a, [b, c]);
    await setRole(t, a, group.id, b, "admin");
    const [demote, kick] = await Promise.all([
      http.fetch(`/api/conversations/${group.id}/members/${b.id}`, {
        method: "PATCH",
        token: a.accessToken,
        json: { role: "member" },
      }),
      http.fetch(`/api/conversations/${group.id}/members/${c.id}`, {
        method: "DELETE",
        token: b.accessToken,
      }),
    ]);
    expect(demote.status).toBe(200);
    expect([204, 403]).toContain(kick.status);
    const members = await http.fetch(`/api/conversations/${group.id}/members`, {
      token: a.accessToken,
    });
    const roles = Object.fromEntries(
      members.body.data.map((m: { agent_id: string; role: string }) => [m.agent_id, m.role]),
    );
    expect(roles[a.id]).toBe("owner");
    expect(roles[b.id]).toBe("member");
    expect(roles[c.id] === undefined).toBe(kick.status === 204);
  });
});
