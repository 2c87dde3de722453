import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testBackend } from "../../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestApp } from "../../testing/index.js";
import { sqliteSessionCache } from "./session-cache.js";

/**
 * The SQLite auth store answers a session lookup from memory (no statement). These tests warm
 * that memory through one app, change the session through another connection on the same file
 * (another app in this process, or another OS process), and require the very next request
 * through the first app to see the change: `PRAGMA data_version` is the only thing that tells
 * the first connection, so they fail if the check is missing.
 */
describe.skipIf(testBackend === "postgres")("session cache across connections", () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** Two apps on one SQLite file: `first` serves the requests, `other` writes. */
  function pair(): { first: TestApp; other: TestApp } {
    const first = createTestApp();
    const other = createTestApp({ dbPath: first.dbPath, clock: first.clock });
    apps.push(first, other);
    return { first, other };
  }

  /** Two requests through `app`, so the session is surely held in its memory. */
  async function warm(app: TestApp, token: string) {
    for (let i = 0; i < 2; i++) {
      expect((await app.request("/api/agents/me", { token })).status).toBe(200);
    }
    const cached = sqliteSessionCache(app.store.db).size;
    expect(cached).toBeGreaterThan(0);
  }

  it("a session revoked through another connection is refused at the next request", async () => {
    const { first, other } = pair();
    const a = await registerAgent(first);
    await warm(first, a.accessToken);
    const revoke = await other.request(`/api/auth/sessions/${a.sessionId}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(revoke.status).toBe(204);
    const next = await first.request("/api/agents/me", { token: a.accessToken });
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe("session_revoked");
  });

  it("logout, key revocation and deactivation through another connection take effect at once", async () => {
    const { first, other } = pair();
    const a = await registerAgent(first);
    const b = await registerAgent(first);
    const c = await registerAgent(first);
    for (const agent of [a, b, c]) await warm(first, agent.accessToken);

    expect(
      (await other.request("/api/auth/logout", { method: "POST", token: a.accessToken })).status,
    ).toBe(204);
    expect(
      (
        await other.request(`/api/auth/api-keys/${b.apiKeyId}`, {
          method: "DELETE",
          token: b.accessToken,
        })
      ).status,
    ).toBe(204);
    expect(
      (await other.request("/api/agents/me", { method: "DELETE", token: c.recoveryKey })).status,
    ).toBe(204);

    for (const agent of [a, b, c]) {
      const next = await first.request("/api/agents/me", { token: agent.accessToken });
      expect(next.status).toBe(401);
    }
  });

  it("a revocation written by another OS process is seen by the next request", async () => {
    const { first } = pair();
    const a = await registerAgent(first);
    const bystander = await registerAgent(first);
    await warm(first, a.accessToken);
    await warm(first, bystander.accessToken);
    // A plain SQL write from a separate process: no code of this server runs there.
    execFileSync(
      process.execPath,
      [
        "-e",
        `const db = require("better-sqlite3")(process.argv[1]);
         db.pragma("busy_timeout = 5000");
         const r = db.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ?").run(Date.now(), process.argv[2]);
         if (r.changes !== 1) process.exit(3);`,
        first.dbPath,
        a.sessionId,
      ],
      { cwd: join(import.meta.dirname, "../../.."), stdio: "inherit" },
    );
    const next = await first.request("/api/agents/me", { token: a.accessToken });
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe("session_revoked");
    // Only the changed session is affected: the other one keeps working (read again, then cached).
    expect((await first.request("/api/agents/me", { token: bystander.accessToken })).status).toBe(
      200,
    );
  });

  it("this process's own revocations need no data_version change", async () => {
    const t = createTestApp();
    apps.push(t);
    const a = await registerAgent(t);
    await warm(t, a.accessToken);
    const before = t.store.db.dataVersion();
    expect(
      (await t.request("/api/auth/logout", { method: "POST", token: a.accessToken })).status,
    ).toBe(204);
    expect(t.store.db.dataVersion()).toBe(before);
    const next = await t.request("/api/agents/me", { token: a.accessToken });
    expect(next.body.error.code).toBe("session_revoked");
  });
});
