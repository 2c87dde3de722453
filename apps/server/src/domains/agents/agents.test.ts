import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestApp } from "../../testing/index.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => t.close());

const patchMe = (token: string, json: unknown) =>
  t.request("/api/agents/me", { method: "PATCH", token, json });

describe("own profile", () => {
  it("GET /api/agents/me includes the private discoverable flag", async () => {
    const a = await registerAgent(t, { handle: "alice" });
    const res = await t.request("/api/agents/me", { token: a.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(a.agent);
  });

  it("PATCH updates writable fields and bumps updated_at", async () => {
    const a = await registerAgent(t);
    t.clock.advance(1000);
    const res = await patchMe(a.accessToken, {
      display_name: "Alice",
      description: "Reads papers.",
      tags: ["research"],
      avatar_url: "https://cdn.example.com/a.png",
      discoverable: false,
      metadata: { model: "x", run: 42 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      display_name: "Alice",
      description: "Reads papers.",
      tags: ["research"],
      avatar_url: "https://cdn.example.com/a.png",
      discoverable: false,
      metadata: { model: "x", run: 42 },
      created_at: a.agent.created_at,
      updated_at: new Date(t.clock.now()).toISOString(),
    });
    const cleared = await patchMe(a.accessToken, { avatar_url: null });
    expect(cleared.body.avatar_url).toBeNull();
    expect(cleared.body.display_name).toBe("Alice");
  });

  it.each([
    [{ id: "agt_01jqzb7x3k9m2n4p6r8s0t1v2w" }, "body.id"],
    [{ handle: "mallory" }, "body.handle"],
    [{ created_at: "2020-01-01T00:00:00.000Z" }, "body.created_at"],
    [{ deactivated_at: null }, "body.deactivated_at"],
    [{ recovery_key_hash: "00" }, "body.recovery_key_hash"],
    [{ role: "admin" }, "body.role"],
    [{}, "body"],
    [{ description: "x".repeat(1001) }, "body.description"],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "body.tags"],
    [{ tags: ["x".repeat(33)] }, "body.tags.0"],
    [{ metadata: { blob: "x".repeat(4100) } }, "body.metadata"],
    [{ avatar_url: "http://cdn.example.com/a.png" }, "body.avatar_url"],
    [{ avatar_url: "https://169.254.169.254/latest" }, "body.avatar_url"],
    [{ avatar_url: "https://localhost/a.png" }, "body.avatar_url"],
    [{ avatar_url: "https://[::1]/a.png" }, "body.avatar_url"],
    [{ avatar_url: "file:///etc/passwd" }, "body.avatar_url"],
  ])("refuses %j with 422 at %s and changes nothing", async (body, path) => {
    const a = await registerAgent(t);
    const res = await patchMe(a.accessToken, body);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    const again = await t.request("/api/agents/me", { token: a.accessToken });
    expect(again.body).toEqual(a.agent);
  });
});

describe("public profiles", () => {
  it("finds an agent by id or by @handle in any case, without private fields", async () => {
    const a = await registerAgent(t);
    const b = await registerAgent(t, { handle: "Bob-The-Bot" });
    const byId = await t.request(`/api/agents/${b.id}`, { token: a.accessToken });
    expect(byId.status).toBe(200);
    expect(byId.body.discoverable).toBeUndefined();
    const byHandle = await t.request("/api/agents/@BOB-the-bot", { token: a.accessToken });
    expect(byHandle.body).toEqual(byId.body);
  });

  it("answers 404 for an unknown agent and 422 for something that is neither id nor @handle", async () => {
    const a = await registerAgent(t);
    const missing = await t.request("/api/agents/agt_01jqzb7x3k9m2n4p6r8s0t1v2w", {
      token: a.accessToken,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    const bad = await t.request("/api/agents/bob", { token: a.accessToken });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe("path.agent_id");
  });
});

describe("discovery", () => {
  it("matches q as a case-insensitive prefix of the handle or of a display-name word, and tag", async () => {
    const me = await registerAgent(t, { handle: "zed" });
    await registerAgent(t, { handle: "research-bot", tags: ["papers"] });
    await registerAgent(t, { handle: "helper", display_name: "Deep Research Helper" });
    await registerAgent(t, { handle: "other", display_name: "Unrelated" });
    const find = async (query: string) => {
      const res = await t.request(`/api/agents?${query}`, { token: me.accessToken });
      expect(res.status).toBe(200);
      return res.body.data.map((x: { handle: string }) => x.handle);
    };
    expect(await find("q=RES")).toEqual(["helper", "research-bot"]);
    expect(await find("q=deep")).toEqual(["helper"]);
    expect(await find("q=search")).toEqual([]);
    expect(await find("tag=papers")).toEqual(["research-bot"]);
    expect(await find("q=res&tag=papers")).toEqual(["research-bot"]);
    expect(await find("q=%25")).toEqual([]);
  });

  it("leaves out non-discoverable and deactivated agents and blocks either way", async () => {
    const me = await registerAgent(t, { handle: "me-agent" });
    await registerAgent(t, { handle: "visible" });
    await registerAgent(t, { handle: "hidden", discoverable: false });
    const gone = await registerAgent(t, { handle: "gone" });
    const blockedByMe = await registerAgent(t, { handle: "blocked-by-me" });
    const blocksMe = await registerAgent(t, { handle: "blocks-me" });
    await t.request("/api/agents/me", { method: "DELETE", token: gone.recoveryKey });
    const insert = t.store.db.raw.prepare(
      "INSERT INTO blocks (id, blocker_id, type, target_id, created_at) VALUES (?, ?, 'agent', ?, 0)",
    );
    insert.run("blk_01jqzbg5h7j9k1m3n5p7q9r1s3", me.id, blockedByMe.id);
    insert.run("blk_01jqzbg5h7j9k1m3n5p7q9r1s4", blocksMe.id, me.id);
    const res = await t.request("/api/agents", { token: me.accessToken });
    expect(res.body.data.map((x: { handle: string }) => x.handle)).toEqual(["me-agent", "visible"]);
  });

  it("pages by handle; a cursor only works with the filters it was issued for", async () => {
    const me = await registerAgent(t, { handle: "a-0" });
    for (const h of ["a-1", "a-2", "a-3"]) await registerAgent(t, { handle: h });
    const first = await t.request("/api/agents?q=a&limit=3", { token: me.accessToken });
    expect(first.body.data.map((x: { handle: string }) => x.handle)).toEqual(["a-0", "a-1", "a-2"]);
    expect(first.body.has_more).toBe(true);
    const cursor = encodeURIComponent(first.body.next_cursor);
    const next = await t.request(`/api/agents?q=a&limit=3&cursor=${cursor}`, {
      token: me.accessToken,
    });
    expect(next.body).toMatchObject({
      data: [{ handle: "a-3" }],
      has_more: false,
      next_cursor: null,
    });
    const otherFilter = await t.request(`/api/agents?q=b&cursor=${cursor}`, {
      token: me.accessToken,
    });
    expect(otherFilter.status).toBe(422);
  });
});

describe("DELETE /api/agents/me (deactivation)", () => {
  it("needs the recovery key: an access token gets 403 recovery_key_required", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/agents/me", { method: "DELETE", token: a.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("recovery_key_required");
  });

  it("revokes every credential; the profile stays with deactivated_at", async () => {
    const a = await registerAgent(t);
    const b = await registerAgent(t);
    const res = await t.request("/api/agents/me", { method: "DELETE", token: a.recoveryKey });
    expect(res.status).toBe(204);
    const dead = await t.request("/api/agents/me", { token: a.accessToken });
    expect(dead.body.error.code).toBe("session_revoked");
    const exchange = await t.request("/api/auth/token", {
      method: "POST",
      json: { api_key: a.apiKey },
    });
    expect(exchange.status).toBe(401);
    const again = await t.request("/api/agents/me", { method: "DELETE", token: a.recoveryKey });
    expect(again.body.error.code).toBe("invalid_credentials");
    const profile = await t.request(`/api/agents/${a.id}`, { token: b.accessToken });
    expect(profile.body.deactivated_at).toBe(new Date(t.clock.now()).toISOString());
  });
});
