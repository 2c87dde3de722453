import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testBackend } from "../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestApp } from "../testing/index.js";

// Threat 27 of security.md on SQLite: the database becomes unreachable for a while. The server
// must answer 503 with the error envelope (never a 500, never a stack) and serve again once the
// file is back, without a restart. PostgreSQL's counterpart is src/scale-out/connection-loss.test.ts.

let t: TestApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  t = undefined;
  dir = undefined;
});

function appInOwnDir() {
  dir = mkdtempSync(join(tmpdir(), "fluxra-outage-"));
  const home = join(dir, "data");
  mkdirSync(home);
  t = createTestApp({ dbPath: join(home, "fluxra.db") });
  return { app: t, home, away: join(dir, "moved") };
}

function expect503(res: { status: number; body: { error: { code: string } }; text: string }) {
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe("service_unavailable");
  expect(res.text).not.toMatch(/SQLITE|at .*\.ts|node_modules/);
}

describe.skipIf(testBackend === "postgres")("SQLite database briefly unavailable", () => {
  it("connection lost while the file is unreachable: 503 meanwhile, then recovery without a restart", async () => {
    const { app, home, away } = appInOwnDir();
    const a = await registerAgent(app);
    const patch = (display_name: string) =>
      app.request("/api/agents/me", {
        method: "PATCH",
        token: a.accessToken,
        json: { display_name },
      });
    expect((await patch("Before")).status).toBe(200);

    // The volume goes away (here: the data directory is moved) and the connection with it.
    renameSync(home, away);
    app.store.db.raw.close();
    expect503(await patch("During"));
    expect503(await app.request("/api/agents/me", { token: a.accessToken }));
    expect503(
      await app.request("/api/auth/register", { method: "POST", json: { handle: "gone" } }),
    );
    const health = await app.request("/health");
    expect([health.status, health.body.status]).toEqual([503, "unhealthy"]);

    renameSync(away, home);
    expect((await app.request("/health")).status).toBe(200);
    const me = await app.request("/api/agents/me", { token: a.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.display_name).toBe("Before"); // the refused write left nothing behind
    expect((await patch("After")).status).toBe(200);
    const check = app.store.db.raw.pragma("integrity_check", { simple: true });
    expect(check).toBe("ok");
  });

  it("the file deleted under the server: writes answer 503 instead of vanishing; a restored copy is served", async () => {
    const { app, home, away } = appInOwnDir();
    mkdirSync(away);
    const a = await registerAgent(app);
    const backup = join(away, "backup.db");
    app.store.db.raw.exec(`VACUUM INTO '${backup}'`);
    const patch = (display_name: string) =>
      app.request("/api/agents/me", {
        method: "PATCH",
        token: a.accessToken,
        json: { display_name },
      });
    const dbFile = join(home, "fluxra.db");
    unlinkSync(dbFile);
    // SQLite in WAL mode would keep writing into the unlinked file: acknowledged, then lost.
    expect503(await patch("Into the void"));
    expect503(await app.request("/api/agents/me", { token: a.accessToken }));
    renameSync(backup, dbFile); // the operator restores the backup
    expect((await patch("Restored")).status).toBe(200);
    const me = await app.request("/api/agents/me", { token: a.accessToken });
    expect(me.body.display_name).toBe("Restored");
  });

  it("a connection closed under the server is reopened by the next request", async () => {
    const { app } = appInOwnDir();
    const a = await registerAgent(app);
    app.store.db.raw.close();
    const me = await app.request("/api/agents/me", { token: a.accessToken });
    expect(me.status).toBe(200);
  });

  it("a read-only database: writes get 503, reads keep working, writes resume when writable", async () => {
    // Tests run as root, where chmod does not stop writes; SQLite's query_only makes every
    // write fail with SQLITE_READONLY, the error a read-only file or mount produces.
    const { app } = appInOwnDir();
    const a = await registerAgent(app);
    app.store.db.raw.pragma("query_only = 1");
    expect503(
      await app.request("/api/auth/api-keys", {
        method: "POST",
        token: a.accessToken,
        json: { name: "x" },
      }),
    );
    expect503(
      await app.request("/api/auth/register", { method: "POST", json: { handle: "ro-x" } }),
    );
    app.store.db.raw.pragma("query_only = 0");
    const created = await app.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "x" },
    });
    expect(created.status).toBe(201);
    const keys = await app.request("/api/auth/api-keys", { token: a.accessToken });
    expect(keys.body.data.map((k: { name: string }) => k.name)).toEqual(["x", "test"]);
  });
});
