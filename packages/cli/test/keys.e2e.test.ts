import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredAgent, requireBuild } from "./support/cli.js";
import { specProblems } from "./support/spec.js";

let server: StartedReferenceServer;
beforeAll(async () => {
  requireBuild();
  server = await startReferenceServer();
});
afterAll(() => server?.close());

type Page<T> = { data: T[]; has_more: boolean; next_cursor: string | null };

describe("keys and sessions", () => {
  it("revoking the current session is survived: the next command opens a new one", async () => {
    const ada = await registeredAgent(server.baseUrl);
    const before = await ada.json<Page<{ id: string; current: boolean }>>(["sessions", "list"]);
    const current = before.data.find((s) => s.current)?.id ?? "";
    const revoked = await ada.run(["sessions", "revoke", current]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked session ${current}`);
    const after = await ada.json<Page<{ id: string; current: boolean }>>(["sessions", "list"]);
    const now = after.data.find((s) => s.current)?.id;
    expect(now).toBeDefined();
    expect(now).not.toBe(current);
    expect(after.data.map((s) => s.id)).not.toContain(current);
    const table = await ada.run(["sessions", "list"]);
    expect(table.stdout).toMatch(new RegExp(`^\\*\\s+${now}\\s`, "m"));
  });

  it("lists keys as a table and JSON, and a revoked key stops working at once", async () => {
    const ada = await registeredAgent(server.baseUrl);
    const created = await ada.json<{ api_key: string; key: { id: string } }>([
      "keys",
      "create",
      "ci",
    ]);
    const keys = await ada.json<Page<{ id: string; name: string; revoked_at: string | null }>>([
      "keys",
      "list",
    ]);
    expect(specProblems("GET", "/api/auth/api-keys", 200, keys)).toEqual([]);
    expect(keys.data.map((k) => k.name).sort()).toEqual(["ci", "fluxra cli"]);
    expect(JSON.stringify(keys)).not.toContain(created.api_key);
    const ci = { env: { FLUXRA_API_KEY: created.api_key } };
    expect((await ada.run(["whoami"], ci)).code).toBe(0);
    expect((await ada.run(["keys", "revoke", created.key.id])).code).toBe(0);
    const dead = await ada.run(["whoami"], ci);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/code: (invalid_credentials|session_revoked)/);
    const table = await ada.run(["keys", "list"]);
    expect(table.stdout).toMatch(new RegExp(`^${created.key.id}\\s+ci\\s+.*revoked$`, "m"));
  });
});
