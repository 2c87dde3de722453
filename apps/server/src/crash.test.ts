import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "fluxra-crash-"));
let dbPath = join(dir, "crash.db");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the real CLI (as `pnpm start` does) and resolves with its base URL once it listens. */
function startServer(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "--port", "0", "--db", dbPath],
    {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, FLUXRA_RATE_LIMITS: "off" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (data: Buffer) => {
      out += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, baseUrl: match[1] as string });
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

/**
 * Runs `write` from 16 concurrent workers against the server `child` and SIGKILLs it once 400
 * writes were acknowledged (`write` returns the acknowledged value, or undefined). Resolves with
 * the acknowledged values once the process is gone.
 */
async function burstUntilKilled<T>(
  child: ChildProcess,
  write: (n: number) => Promise<T | undefined>,
): Promise<T[]> {
  const acknowledged: T[] = [];
  let next = 0;
  let killed = false;
  const exited = new Promise((resolve) => child.on("exit", resolve));
  // Should the server die on its own, stop writing (the caller's assertions then fail clearly).
  child.on("exit", () => {
    killed = true;
  });
  const worker = async () => {
    while (!killed) {
      try {
        const value = await write(next++);
        if (value !== undefined) acknowledged.push(value);
      } catch {
        // The connection died with the process: this write was never acknowledged.
      }
      if (acknowledged.length >= 400 && !killed) {
        killed = true;
        child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await exited;
  expect(acknowledged.length).toBeGreaterThanOrEqual(400);
  return acknowledged;
}

/**
 * Restarts the server on the crashed file (migrations and recovery must just work), stops it
 * cleanly, and opens the file read-only after checking its integrity.
 */
async function restartAndOpen(): Promise<Database.Database> {
  const restarted = await startServer();
  const health = await fetch(`${restarted.baseUrl}/health`);
  expect(health.status).toBe(200);
  const stopped = new Promise((resolve) => restarted.child.on("exit", resolve));
  restarted.child.kill("SIGTERM");
  expect(await stopped).toBe(0);
  const db = new Database(dbPath, { readonly: true });
  expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  return db;
}

/**
 * Time limit of each crash test. Its work is fixed: two starts of the CLI (tsx loads the whole
 * server: ~1 s of CPU each, most of a test's time), a burst of at least 400 acknowledged writes,
 * and for the sends ~200 keyed retries. It waits on events only (the listening line, exits,
 * responses), never on a guessed delay. Under load (20–28, with CPU burners) a CLI start took
 * 13–26 s and each test 64–85 s, past the 60 s default; ~5 s on an idle machine.
 */
const CRASH_TIMEOUT = 180_000;

describe("SIGKILL during a burst of writes", { timeout: CRASH_TIMEOUT }, () => {
  it("keeps every acknowledged write and an intact database", async () => {
    const { child, baseUrl } = await startServer();
    const acknowledged = await burstUntilKilled(child, async (n) => {
      const handle = `crash-${n}`;
      const res = await fetch(`${baseUrl}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ handle }),
      });
      await res.arrayBuffer();
      return res.status === 201 ? handle : undefined;
    });

    const db = await restartAndOpen();
    const stored = new Set(
      (db.prepare("SELECT handle FROM agents").all() as { handle: string }[]).map((r) => r.handle),
    );
    db.close();
    expect(acknowledged.filter((handle) => !stored.has(handle))).toEqual([]);
  });
});

async function post(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

describe("SIGKILL during a burst of group-committed message sends", {
  timeout: CRASH_TIMEOUT,
}, () => {
  it("keeps every acknowledged message, gap-free seqs and an intact database", async () => {
    dbPath = join(dir, "crash-sends.db");
    const { child, baseUrl } = await startServer();
    const reg = (await post(baseUrl, "/api/auth/register", { handle: "crash-sender" })) as {
      agent: { id: string };
      recovery_key: string;
    };
    const key = (await post(
      baseUrl,
      "/api/auth/api-keys",
      { name: "k" },
      {
        authorization: `Bearer ${reg.recovery_key}`,
      },
    )) as { api_key: string };
    const token = (await post(baseUrl, "/api/auth/token", { api_key: key.api_key })) as {
      access_token: string;
    };
    const auth = { authorization: `Bearer ${token.access_token}` };
    const conversation = (await post(
      baseUrl,
      "/api/conversations",
      { type: "group", title: "crash", member_ids: [] },
      auth,
    )) as { id: string };

    // Every other send carries an Idempotency-Key, as the SDK sends; with 16 senders each commit
    // carries a batch.
    const acknowledged = await burstUntilKilled(child, async (n) => {
      const res = await fetch(`${baseUrl}/api/conversations/${conversation.id}/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...auth,
          ...(n % 2 === 0 ? { "idempotency-key": `crash-${n}` } : {}),
        },
        body: JSON.stringify({ content: `message ${n}` }),
      });
      const body = (await res.json()) as { id: string; seq: number };
      return res.status === 201 ? { id: body.id, seq: body.seq, n } : undefined;
    });

    // One restart serves both checks: the file as recovered (read beside the running server, a
    // WAL reader sees exactly what it committed), then the keyed retries against it. A separate
    // start for each cost a whole CLI start-up (~1 s of CPU; most of this test's time under load).
    const restarted = await startServer();
    expect((await fetch(`${restarted.baseUrl}/health`)).status).toBe(200);
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const stored = new Map(
      (
        db
          .prepare("SELECT id, seq FROM messages WHERE conversation_id = ? ORDER BY seq")
          .all(conversation.id) as { id: string; seq: number }[]
      ).map((r) => [r.id, r.seq]),
    );
    const seqs = [...stored.values()];
    // Events (written in the same transaction as each send): one message.created per stored
    // message, delivered to the sender's feed, and none for a send that rolled back.
    const eventMessageIds = (
      db
        .prepare(
          `SELECT data FROM events WHERE type = 'message.created' AND conversation_id = ?
           AND instr(recipients, ' ' || ? || ' ') > 0`,
        )
        .pluck()
        .all(conversation.id, reg.agent.id) as string[]
    ).map((data) => (JSON.parse(data) as { id: string }).id);
    const nextSeq = db
      .prepare("SELECT next_seq FROM conversations WHERE id = ?")
      .pluck()
      .get(conversation.id) as number;
    db.close();
    // Every acknowledged send is stored with the seq it was acknowledged with.
    expect(acknowledged.filter((m) => stored.get(m.id) !== m.seq)).toEqual([]);
    // Nothing half-written: seqs run 1..n without a gap, and next_seq follows the last one.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(nextSeq).toBe(seqs.length + 1);
    expect([...eventMessageIds].sort()).toEqual([...stored.keys()].sort());
    expect(new Set(eventMessageIds).size).toBe(eventMessageIds.length);
    expect(acknowledged.filter((m) => !eventMessageIds.includes(m.id))).toEqual([]);

    // Every acknowledged keyed send was answered only once its idempotency record was durable:
    // after the crash, its retry replays the same message instead of sending a second one.
    const keyed = acknowledged.filter((m) => m.n % 2 === 0);
    expect(keyed.length).toBeGreaterThan(100);
    const replays = await Promise.all(
      keyed.map(async (m) => {
        const res = await fetch(
          `${restarted.baseUrl}/api/conversations/${conversation.id}/messages`,
          {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...auth,
              "idempotency-key": `crash-${m.n}`,
            },
            body: JSON.stringify({ content: `message ${m.n}` }),
          },
        );
        const body = (await res.json()) as { id: string };
        return {
          n: m.n,
          status: res.status,
          replayed: res.headers.get("idempotent-replayed"),
          same: body.id === m.id,
        };
      }),
    );
    expect(replays.filter((r) => r.status !== 201 || r.replayed !== "true" || !r.same)).toEqual([]);
    const stopped = new Promise((resolve) => restarted.child.on("exit", resolve));
    restarted.child.kill("SIGTERM");
    expect(await stopped).toBe(0);
    const after = new Database(dbPath, { readonly: true });
    expect(after.pragma("integrity_check", { simple: true })).toBe("ok");
    const count = after
      .prepare("SELECT count(*) FROM messages WHERE conversation_id = ?")
      .pluck()
      .get(conversation.id);
    after.close();
    expect(count).toBe(stored.size);
  });
});
