import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../platform/clock.js";
import { testBackend } from "../storage/postgres/test-store.js";
import { createReferenceServer, startReferenceServer } from "./reference-server.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

// `@fluxra/server/testing`, the reference server the SDK, CLI and MCP tests start. It always runs
// on SQLite, so the PostgreSQL pass has nothing to add.
describe.skipIf(testBackend === "postgres")("@fluxra/server/testing", () => {
  it("serves real HTTP on 127.0.0.1 and in-process, on a fresh database it deletes on close", async () => {
    const server = await startReferenceServer();
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await server.listen()).toBe(server.baseUrl);
    const overHttp = await fetch(`${server.baseUrl}/health`);
    expect(overHttp.status).toBe(200);
    const inProcess = await server.fetch(new Request("http://fluxra.test/health"));
    expect(inProcess.status).toBe(200);
    expect(existsSync(server.dbPath)).toBe(true);
    await server.close();
    expect(existsSync(server.dbPath)).toBe(false);
    await expect(fetch(`${server.baseUrl}/health`)).rejects.toThrow();
  });

  it("has rate limits off unless configured, and takes a manual clock", async () => {
    const clock = createManualClock(Date.UTC(2030, 0, 1));
    const server = createReferenceServer({ clock });
    const res = await server.fetch(new Request("http://fluxra.test/health"));
    expect(res.headers.get("ratelimit-limit")).toBeNull();
    server.clock.advance(1_000);
    expect(server.clock.now()).toBe(Date.UTC(2030, 0, 1) + 1_000);
    await server.close();
    const limited = createReferenceServer({ config: { rateLimits: { enabled: true } } });
    const answer = await limited.fetch(
      new Request("http://fluxra.test/api/auth/register", { method: "POST" }),
    );
    expect(answer.headers.get("ratelimit-limit")).not.toBeNull();
    await limited.close();
  });

  it("is a workspace-only entry that needs no test-only dependency", () => {
    expect(pkg.exports["./testing"]).toBeDefined();
    expect(pkg.publishConfig.exports["./testing"]).toBeUndefined();
    const source = readFileSync(new URL("./reference-server.ts", import.meta.url), "utf8");
    const bare = [...source.matchAll(/from "([^".][^"]*)"/g)]
      .map((m) => m[1] as string)
      .filter((name) => !name.startsWith("node:"));
    for (const name of bare) expect(Object.keys(pkg.dependencies), name).toContain(name);
  });
});
