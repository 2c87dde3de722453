import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the package root. */
export const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** The built binary, as npm would link it. */
export const BIN = join(packageDir, "bin/fluxra.js");

/** Fails clearly when the build is missing (the package's `test` script builds first). */
export function requireBuild(): void {
  if (!existsSync(join(packageDir, "dist/cli.js"))) {
    throw new Error(
      "dist/ is missing: run `pnpm --filter @fluxra/cli build` (the test script does).",
    );
  }
}

/** What a run of `fluxra` did. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one run: extra environment and what to pipe into stdin. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
}

const made: string[] = [];

/** A temp dir, removed after the test file (see setup.ts). */
export function tempDir(prefix = "fluxra-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every dir made by {@link tempDir}. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh, private config dir, as a new user would have. */
export const freshConfigDir = (): string => tempDir("fluxra-cli-home-");

/**
 * A `fluxra` bound to one server and one config dir: runs the built binary as a child process,
 * asynchronously (the server lives in this process and must keep answering).
 */
export function cliFor(baseUrl: string, configDir = freshConfigDir()) {
  const run = (args: readonly string[], options: RunOptions = {}): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const env: Record<string, string | undefined> = {
        PATH: process.env["PATH"],
        HOME: configDir,
        FLUXRA_CONFIG_DIR: configDir,
        FLUXRA_BASE_URL: baseUrl,
        ...options.env,
      };
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: "pipe" });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? "");
    });
  /** Runs with `--json`, expects exit 0 and returns the parsed stdout. */
  const json = async <T = Record<string, unknown>>(
    args: readonly string[],
    options?: RunOptions,
  ): Promise<T> => {
    const result = await run([...args, "--json"], options);
    if (result.code !== 0) {
      throw new Error(`fluxra ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  };
  return { run, json, configDir };
}

/** Spawns `fluxra` and keeps it running (for `tail`); resolves lines as they come. */
export function spawnCli(args: readonly string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env["PATH"], ...env },
    stdio: "pipe",
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const waitFor = async (check: () => boolean, what: string, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${what}\nstdout: ${stdout}\nstderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor,
  };
}

/** A freshly registered agent, logged in (its api key stored) in its own config dir. */
export async function registeredAgent(baseUrl: string, tags: string[] = []) {
  const cli = cliFor(baseUrl);
  const handle = `cli-${Math.random().toString(36).slice(2, 10)}`;
  const out = await cli.json<{ agent: { id: string } }>([
    "register",
    handle,
    "--create-key",
    ...tags.flatMap((t) => ["--tag", t]),
  ]);
  return { ...cli, handle, id: out.agent.id };
}
