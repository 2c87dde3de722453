import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "fluxra-crash-"));
const dbPath = join(dir, "crash.db");
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

describe("SIGKILL during a burst of writes", () => {
  it("keeps every acknowledged write and an intact database", async () => {
    const { child, baseUrl } = await startServer();
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Should the server die on its own, stop writing (the assertions below then fail clearly).
    child.on("exit", () => {
      killed = true;
    });

    // 16 concurrent writers; the process is killed mid-burst once 400 writes were acknowledged.
    const worker = async () => {
      while (!killed) {
        const handle = `crash-${next++}`;
        try {
          const res = await fetch(`${baseUrl}/api/auth/register`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ handle }),
          });
          await res.arrayBuffer();
          if (res.status === 201) acknowledged.push(handle);
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

    // Restart on the crashed file: migrations and recovery must just work.
    const restarted = await startServer();
    const health = await fetch(`${restarted.baseUrl}/health`);
    expect(health.status).toBe(200);
    const stopped = new Promise((resolve) => restarted.child.on("exit", resolve));
    restarted.child.kill("SIGTERM");
    expect(await stopped).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const stored = new Set(
      (db.prepare("SELECT handle FROM agents").all() as { handle: string }[]).map((r) => r.handle),
    );
    db.close();
    expect(acknowledged.filter((handle) => !stored.has(handle))).toEqual([]);
  });
});
