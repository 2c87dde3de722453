import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedResponse } from "./testing/index.js";

/**
 * Two server processes on one SQLite file, as a scaled-out deployment would run them: they must
 * share signing keys, sessions, rate-limit counters and idempotency keys, and never answer 5xx
 * under concurrent writes (BEGIN IMMEDIATE + busy_timeout).
 */
const dir = mkdtempSync(join(tmpdir(), "fluxra-multi-"));
const dbPath = join(dir, "shared.db");
const children: ChildProcess[] = [];
let urls: string[] = [];

function startServer(env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "--port", "0", "--db", dbPath],
    {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (data: Buffer) => {
      out += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

async function call(base: string, path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${base}${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return checkedResponse(rest.method ?? "GET", path, res);
}

beforeAll(async () => {
  // The first start creates the schema and the signing key; the second finds them.
  const first = await startServer({ FLUXRA_RATE_LIMITS: "off" });
  const second = await startServer({ FLUXRA_RATE_LIMITS: "off" });
  urls = [first, second];
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve(null);
          child.on("exit", resolve);
          child.kill("SIGTERM");
        }),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
});

describe("two instances on one database", () => {
  it("serve each other's tokens and see revocations at once", async () => {
    const [a, b] = urls as [string, string];
    const reg = await call(a, "/api/auth/register", { method: "POST", json: { handle: "shared" } });
    const key = await call(b, "/api/auth/api-keys", {
      method: "POST",
      headers: { authorization: `Bearer ${reg.body.recovery_key}` },
      json: { name: "k" },
    });
    const token = await call(a, "/api/auth/token", {
      method: "POST",
      json: { api_key: key.body.api_key },
    });
    const auth = { authorization: `Bearer ${token.body.access_token}` };
    expect((await call(b, "/api/agents/me", { headers: auth })).status).toBe(200);
    expect((await call(b, "/api/auth/logout", { method: "POST", headers: auth })).status).toBe(204);
    const dead = await call(a, "/api/agents/me", { headers: auth });
    expect(dead.body.error.code).toBe("session_revoked");
  });

  it("replay an idempotent request made on the other instance", async () => {
    const [a, b] = urls as [string, string];
    // An api key created with the recovery key (registration itself never replays its secret).
    const reg = await call(a, "/api/auth/register", {
      method: "POST",
      json: { handle: "idem-multi" },
    });
    const init = {
      method: "POST",
      headers: { "Idempotency-Key": "multi-1", authorization: `Bearer ${reg.body.recovery_key}` },
      json: { name: "once" },
    };
    const first = await call(a, "/api/auth/api-keys", init);
    expect(first.status).toBe(201);
    const replay = await call(b, "/api/auth/api-keys", init);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
  });

  it("answer no 5xx to concurrent writes spread over both", async () => {
    let n = 0;
    const statuses: number[] = [];
    const worker = async (base: string) => {
      for (let i = 0; i < 25; i++) {
        const res = await call(base, "/api/auth/register", {
          method: "POST",
          json: { handle: `burst-${n++}` },
        });
        statuses.push(res.status);
      }
    };
    await Promise.all(urls.flatMap((base) => Array.from({ length: 6 }, () => worker(base))));
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(statuses).toHaveLength(300);
  });
});
