import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../platform/auth/secrets.js";
import { testBackend } from "../../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestApp } from "../../testing/index.js";
import { sqliteKeyCache } from "./key-cache.js";

/**
 * The SQLite auth store answers the token exchange's api-key lookup from memory (no statement)
 * once it has read the key. These tests warm that memory, change the key or its agent through
 * another connection or another OS process (or through the same app), and require the very next
 * exchange to see the change. The exchange's write re-checks only `revoked_at`, so the
 * deactivation and expiry cases below fail if the `PRAGMA data_version` check is missing.
 */
describe.skipIf(testBackend === "postgres")("api-key cache of the token exchange", () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  function pair(): { first: TestApp; other: TestApp } {
    const first = createTestApp();
    const other = createTestApp({ dbPath: first.dbPath, clock: first.clock });
    apps.push(first, other);
    return { first, other };
  }

  const exchange = (app: TestApp, apiKey: string) =>
    app.request("/api/auth/token", { method: "POST", json: { api_key: apiKey } });

  /** Two exchanges through `app`, so the key is surely held in its memory. */
  async function warm(app: TestApp, apiKey: string) {
    for (let i = 0; i < 2; i++) expect((await exchange(app, apiKey)).status).toBe(200);
    const cached = sqliteKeyCache(app.store.db).get(sha256Hex(apiKey));
    expect(cached?.revokedAt).toBeNull();
  }

  /** Runs plain SQL on the app's file from a separate process: no code of this server runs there. */
  function otherProcess(dbPath: string, sql: string, ...params: (string | number)[]) {
    execFileSync(
      process.execPath,
      [
        "-e",
        `const db = require("better-sqlite3")(process.argv[1]);
         db.pragma("busy_timeout = 5000");
         const r = db.prepare(process.argv[2]).run(...process.argv.slice(3).map((v) => /^\\d+$/.test(v) ? Number(v) : v));
         if (r.changes !== 1) process.exit(3);`,
        dbPath,
        sql,
        ...params.map(String),
      ],
      { cwd: join(import.meta.dirname, "../../.."), stdio: "inherit" },
    );
  }

  it("serves a warm key without reading it again, and answers like before", async () => {
    const t = createTestApp();
    apps.push(t);
    const a = await registerAgent(t);
    await warm(t, a.apiKey);
    const state = await t.store.auth.findApiKeyBySecret(sha256Hex(a.apiKey));
    expect(state).toMatchObject({ id: a.apiKeyId, agentId: a.id, agentActive: true });
    // An unknown secret is never kept: it costs its statement every time and stays unknown.
    const size = sqliteKeyCache(t.store.db).size;
    expect(await t.store.auth.findApiKeyBySecret(sha256Hex("fxk_unknown"))).toBeNull();
    expect(sqliteKeyCache(t.store.db).size).toBe(size);
  });

  it("a key revoked through another connection is refused at the next exchange", async () => {
    const { first, other } = pair();
    const a = await registerAgent(first);
    await warm(first, a.apiKey);
    const revoke = await other.request(`/api/auth/api-keys/${a.apiKeyId}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(revoke.status).toBe(204);
    expect((await first.store.auth.findApiKeyBySecret(sha256Hex(a.apiKey)))?.revokedAt).not.toBe(
      null,
    );
    const next = await exchange(first, a.apiKey);
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe("invalid_credentials");
  });

  it("another OS process deactivating the agent, revoking or expiring a key: each takes effect at the next exchange", async () => {
    const { first } = pair();
    const deactivated = await registerAgent(first);
    const revoked = await registerAgent(first);
    const expired = await registerAgent(first);
    const bystander = await registerAgent(first);
    for (const agent of [deactivated, revoked, expired, bystander]) await warm(first, agent.apiKey);

    // Only the agent row: its key is not revoked, so only the lookup can refuse it.
    otherProcess(
      first.dbPath,
      "UPDATE agents SET deactivated_at = ? WHERE id = ?",
      first.clock.now(),
      deactivated.id,
    );
    expect((await exchange(first, deactivated.apiKey)).status).toBe(401);

    await warm(first, revoked.apiKey);
    otherProcess(
      first.dbPath,
      "UPDATE api_keys SET revoked_at = ? WHERE id = ?",
      first.clock.now(),
      revoked.apiKeyId,
    );
    expect((await exchange(first, revoked.apiKey)).status).toBe(401);

    await warm(first, expired.apiKey);
    otherProcess(
      first.dbPath,
      "UPDATE api_keys SET expires_at = ? WHERE id = ?",
      first.clock.now() - 1000,
      expired.apiKeyId,
    );
    expect((await exchange(first, expired.apiKey)).status).toBe(401);

    // The keys nobody changed keep working (read again, then held again).
    expect((await exchange(first, bystander.apiKey)).status).toBe(200);
  });

  it("this process's own revocation, account recovery and deactivation need no data_version change", async () => {
    const t = createTestApp();
    apps.push(t);
    const revoked = await registerAgent(t);
    const recovered = await registerAgent(t);
    const deactivated = await registerAgent(t);
    for (const agent of [revoked, recovered, deactivated]) await warm(t, agent.apiKey);
    const before = t.store.db.dataVersion();

    const revoke = await t.request(`/api/auth/api-keys/${revoked.apiKeyId}`, {
      method: "DELETE",
      token: revoked.accessToken,
    });
    expect(revoke.status).toBe(204);
    const recover = await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: recovered.id, recovery_key: recovered.recoveryKey },
    });
    expect(recover.status).toBe(200);
    const gone = await t.request("/api/agents/me", {
      method: "DELETE",
      token: deactivated.recoveryKey,
    });
    expect(gone.status).toBeLessThan(300);

    expect(t.store.db.dataVersion()).toBe(before);
    for (const agent of [revoked, recovered, deactivated]) {
      // The lookup itself shows the change (the exchange's write would refuse a revoked key
      // anyway; a stale lookup must not be what the next request decides on).
      const key = await t.store.auth.findApiKeyBySecret(sha256Hex(agent.apiKey));
      expect(key?.revokedAt).not.toBeNull();
      const next = await exchange(t, agent.apiKey);
      expect(next.status).toBe(401);
      expect(next.body.error.code).toBe("invalid_credentials");
    }
  });

  it("rotating a key (a new one, then the old revoked) switches at the next exchange", async () => {
    const t = createTestApp();
    apps.push(t);
    const a = await registerAgent(t);
    await warm(t, a.apiKey);
    const created = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "rotated" },
    });
    expect(created.status).toBe(201);
    expect((await exchange(t, created.body.api_key)).status).toBe(200);
    const revoke = await t.request(`/api/auth/api-keys/${a.apiKeyId}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(revoke.status).toBe(204);
    expect((await exchange(t, a.apiKey)).status).toBe(401);
    expect((await exchange(t, created.body.api_key)).status).toBe(200);
  });
});
