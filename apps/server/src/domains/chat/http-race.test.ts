import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  type Json,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";

/** Races over real HTTP (node-server on port 0), so requests genuinely overlap in flight. */
let t: TestApp;
let http: Awaited<ReturnType<TestApp["listen"]>>;

beforeAll(async () => {
  t = createTestApp();
  http = await t.listen();
});
afterAll(() => t.close());

const post = (
  caller: TestAgent,
  path: string,
  json: unknown,
  headers: Record<string, string> = {},
) => http.fetch(path, { method: "POST", token: caller.accessToken, json, headers });

describe("concurrent requests over HTTP", () => {
  it("30 parallel direct opens in both orders yield exactly one conversation", async () => {
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? post(a, "/api/conversations", { type: "direct", agent_id: b.id })
          : post(b, "/api/conversations", { type: "direct", agent_id: a.id }),
      ),
    );
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(29);
    const listed = await http.fetch("/api/conversations", { token: a.accessToken });
    expect(listed.body.data).toHaveLength(1);
  });

  it("parallel sends get seq 1..n with no gap or repeat", async () => {
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = (await post(a, "/api/conversations", { type: "direct", agent_id: b.id })).body;
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(i % 2 ? a : b, `/api/conversations/${dm.id}/messages`, { content: `m${i}` }),
      ),
    );
    expect(sent.every((r) => r.status === 201)).toBe(true);
    const seqs = sent.map((r) => r.body.seq as number).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const listed = await http.fetch(`/api/conversations/${dm.id}/messages?limit=100`, {
      token: a.accessToken,
    });
    expect(listed.body.data.map((m: Json) => m.seq)).toEqual(
      Array.from({ length: 40 }, (_, i) => 40 - i),
    );
  });

  it("parallel sends with one Idempotency-Key store one message", async () => {
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = (await post(a, "/api/conversations", { type: "direct", agent_id: b.id })).body;
    const path = `/api/conversations/${dm.id}/messages`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        post(a, path, { content: "once" }, { "Idempotency-Key": "k" }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.body.error.code).toBe("idempotency_in_progress");
    }
    const listed = await http.fetch(`${path}?limit=100`, { token: a.accessToken });
    expect(listed.body.data).toHaveLength(1);
  });
});
