import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliServer, startCli } from "../security/cli-process.js";
import { testBackend, testPostgresUrl } from "../storage/postgres/test-store.js";

// Threat 24 of security.md on PostgreSQL (the SQLite run is src/crash.test.ts): the real CLI on
// its own database is killed with SIGKILL in the middle of a write burst; every write it
// acknowledged must be there after a restart. Runs once, in the default pass.

const name = `fluxra_crash_${process.pid}_${randomBytes(3).toString("hex")}`;
const url = new URL(testPostgresUrl);
url.pathname = `/${name}`;
let admin: pg.Client | undefined;
const servers: CliServer[] = [];

async function reachable(): Promise<boolean> {
  try {
    admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    return true;
  } catch {
    admin = undefined;
    return false;
  }
}

const available = testBackend === "sqlite" && (await reachable());

beforeAll(async () => {
  if (available) await admin?.query(`CREATE DATABASE ${name}`);
});
afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.kill();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
});

describe.skipIf(!available)("SIGKILL during a write burst on PostgreSQL", () => {
  it("keeps every acknowledged write", async () => {
    const env = { FLUXRA_RATE_LIMITS: "off" };
    const server = await startCli(url.toString(), env);
    servers.push(server);
    const acknowledged: string[] = [];
    let next = 0;
    let stop = false;
    server.child.on("exit", () => {
      stop = true;
    });
    const worker = async () => {
      while (!stop) {
        const handle = `pgcrash-${next++}`;
        try {
          const res = await fetch(`${server.baseUrl}/api/auth/register`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ handle }),
          });
          await res.arrayBuffer();
          if (res.status === 201) acknowledged.push(handle);
        } catch {
          // The connection died with the process: never acknowledged.
        }
        if (acknowledged.length >= 300 && !stop) {
          stop = true;
          server.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await server.kill();
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    const restarted = await startCli(url.toString(), env);
    servers.push(restarted);
    expect((await fetch(`${restarted.baseUrl}/health`)).status).toBe(200);
    expect(await restarted.stop()).toBe(0);

    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const { rows } = await db.query<{ handle: string }>("SELECT handle FROM agents");
    await db.end();
    const stored = new Set(rows.map((r) => r.handle));
    expect(acknowledged.filter((h) => !stored.has(h))).toEqual([]);
  });

  it("keeps one message.created event per stored message through a SIGKILL during sends", async () => {
    const env = { FLUXRA_RATE_LIMITS: "off" };
    const server = await startCli(url.toString(), env);
    servers.push(server);
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const reg = await post("/api/auth/register", { handle: "pgcrash-sender" });
    const key = await post("/api/auth/api-keys", { name: "k" }, reg.body["recovery_key"]);
    const token = (await post("/api/auth/token", { api_key: key.body["api_key"] })).body[
      "access_token"
    ] as string;
    const conversation = (
      await post("/api/conversations", { type: "group", title: "crash", member_ids: [] }, token)
    ).body["id"] as string;
    const acknowledged: string[] = [];
    let stop = false;
    server.child.on("exit", () => {
      stop = true;
    });
    const worker = async () => {
      while (!stop) {
        try {
          const res = await post(
            `/api/conversations/${conversation}/messages`,
            { content: "burst" },
            token,
          );
          if (res.status === 201) acknowledged.push(res.body["id"] as string);
        } catch {
          // The connection died with the process: never acknowledged.
        }
        if (acknowledged.length >= 200 && !stop) {
          stop = true;
          server.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await server.kill();
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const stored = (
      await db.query<{ id: string }>("SELECT id FROM messages WHERE conversation_id = $1", [
        conversation,
      ])
    ).rows.map((r) => r.id);
    const evented = (
      await db.query<{ data: string }>(
        `SELECT e.data FROM events e JOIN event_recipients r ON r.pos = e.pos
         WHERE e.type = 'message.created' AND e.conversation_id = $1`,
        [conversation],
      )
    ).rows.map((r) => (JSON.parse(r.data) as { id: string }).id);
    await db.end();
    expect(acknowledged.filter((id) => !stored.includes(id))).toEqual([]);
    // One event per stored message, none for a send that rolled back.
    expect([...evented].sort()).toEqual([...stored].sort());
  });
});
