import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A reference server started for one test file. */
export interface RunningServer {
  baseUrl: string;
  stop(): Promise<void>;
}

const docsRoot = resolve(import.meta.dirname, "../..");

/**
 * Starts `@fluxra/server`'s CLI on a free loopback port with a fresh SQLite file and rate limits
 * off, and resolves once it prints where it listens.
 *
 * @throws when the server exits or prints nothing useful within 30 s.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-docs-samples-"));
  const cli = resolve(docsRoot, "../apps/server/src/cli.ts");
  const child = spawn(
    resolve(docsRoot, "node_modules/.bin/tsx"),
    [cli, "--port", "0", "--db", join(dir, "fluxra.db")],
    {
      cwd: dir,
      env: { ...process.env, FLUXRA_RATE_LIMITS: "off", HOST: "127.0.0.1", ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const baseUrl = await listeningUrl(child);
  return {
    baseUrl,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once("exit", done));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((done, fail) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`server did not start:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/[^\s]+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}
