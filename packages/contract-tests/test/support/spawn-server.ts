import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningServer } from "./serve.js";

/** This package's root (test/support/ → ../..), whose node_modules link the workspace server. */
const packageRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Starts the reference server the way a contributor does (its CLI, `src/cli.ts` through tsx) on a
 * free loopback port with a fresh SQLite file and `FLUXRA_RATE_LIMITS=off` (plus `extraEnv`).
 */
export async function spawnReferenceServer(
  extraEnv: Record<string, string> = {},
): Promise<RunningServer> {
  const serverDir = join(packageRoot, "node_modules", "@fluxra", "server");
  const tsx = join(packageRoot, "node_modules", "tsx", "dist", "cli.mjs");
  const dir = mkdtempSync(join(tmpdir(), "fluxra-contract-cli-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [tsx, "src/cli.ts", "--port", "0", "--host", "127.0.0.1", "--db", join(dir, "fluxra.db")],
    {
      cwd: serverDir,
      env: { ...process.env, FLUXRA_RATE_LIMITS: "off", ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return {
    baseUrl,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
