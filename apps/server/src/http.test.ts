import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./testing/index.js";

let t: TestApp;
afterEach(async () => t.close());

describe("over real HTTP on loopback", () => {
  it("runs the quickstart: register, api key, token, profile, discovery, logout", async () => {
    t = createTestApp();
    const { fetch } = await t.listen();
    const reg = await fetch("/api/auth/register", { method: "POST", json: { handle: "Http-Bot" } });
    expect(reg.status).toBe(201);
    const key = await fetch("/api/auth/api-keys", {
      method: "POST",
      token: reg.body.recovery_key,
      json: { name: "http" },
    });
    expect(key.status).toBe(201);
    const token = await fetch("/api/auth/token", {
      method: "POST",
      json: { api_key: key.body.api_key },
    });
    expect(token.status).toBe(200);
    const auth = { token: token.body.access_token as string };
    const me = await fetch("/api/agents/me", auth);
    expect(me.body.handle).toBe("http-bot");
    const patched = await fetch("/api/agents/me", {
      ...auth,
      method: "PATCH",
      json: { tags: ["http"] },
    });
    expect(patched.body.tags).toEqual(["http"]);
    const found = await fetch("/api/agents?tag=http", auth);
    expect(found.body.data.map((a: { id: string }) => a.id)).toEqual([me.body.id]);
    expect((await fetch(`/api/agents/@HTTP-BOT`, auth)).status).toBe(200);
    expect((await fetch("/api/auth/logout", { ...auth, method: "POST" })).status).toBe(204);
    const after = await fetch("/api/agents/me", auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("session_revoked");
  });

  it("answers unknown routes and methods with the envelope", async () => {
    t = createTestApp();
    const { fetch } = await t.listen();
    expect((await fetch("/nope")).body.error.code).toBe("route_not_found");
    expect((await fetch("/health", { method: "DELETE" })).body.error.code).toBe(
      "method_not_allowed",
    );
  });
});
