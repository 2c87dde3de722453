import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, getToken, registerAgent, type TestApp } from "../../testing/index.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => t.close());

describe("recovery key", () => {
  it("rotates: the new key works, the old one stops, sessions are untouched", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/auth/recovery-key/rotate", {
      method: "POST",
      token: a.recoveryKey,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const fresh: string = res.body.recovery_key;
    expect(fresh).not.toBe(a.recoveryKey);
    const again = await t.request("/api/auth/recovery-key/rotate", {
      method: "POST",
      token: a.recoveryKey,
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("invalid_credentials");
    const viaFresh = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: fresh,
      json: { name: "after-rotation" },
    });
    expect(viaFresh.status).toBe(201);
    expect((await t.request("/api/auth/session", { token: a.accessToken })).status).toBe(200);
  });

  it("needs the recovery key itself: other credentials get 403 recovery_key_required", async () => {
    const a = await registerAgent(t);
    for (const token of [a.accessToken, a.apiKey]) {
      const res = await t.request("/api/auth/recovery-key/rotate", { method: "POST", token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("recovery_key_required");
    }
  });

  it("a recovery key is not an access token: 401 invalid_credentials on normal routes", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/agents/me", { token: a.recoveryKey });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
  });
});

describe("POST /api/auth/recover", () => {
  it("revokes every key and session and returns a new recovery key", async () => {
    const a = await registerAgent(t);
    const second = await getToken(t, a.apiKey);
    const res = await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: a.id, recovery_key: a.recoveryKey },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    for (const token of [a.accessToken, second.accessToken]) {
      const dead = await t.request("/api/auth/session", { token });
      expect(dead.body.error.code).toBe("session_revoked");
    }
    const exchange = await t.request("/api/auth/token", {
      method: "POST",
      json: { api_key: a.apiKey },
    });
    expect(exchange.status).toBe(401);
    const old = await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: a.id, recovery_key: a.recoveryKey },
    });
    expect(old.status).toBe(401);
    const key = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: res.body.recovery_key,
      json: { name: "rebuilt" },
    });
    expect(key.status).toBe(201);
  });

  it("refuses another agent's id or a tampered key with 401, changing nothing", async () => {
    const a = await registerAgent(t);
    const b = await registerAgent(t);
    const wrongAgent = await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: b.id, recovery_key: a.recoveryKey },
    });
    expect(wrongAgent.status).toBe(401);
    expect(wrongAgent.body.error.code).toBe("invalid_credentials");
    const tampered = `${a.recoveryKey.slice(0, 8)}${a.recoveryKey[8] === "x" ? "y" : "x"}${a.recoveryKey.slice(9)}`;
    const bad = await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: a.id, recovery_key: tampered },
    });
    expect(bad.status).toBe(401);
    expect((await t.request("/api/auth/session", { token: a.accessToken })).status).toBe(200);
    expect((await t.request("/api/auth/session", { token: b.accessToken })).status).toBe(200);
  });
});
