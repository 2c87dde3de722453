import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "./workspace.js";

/**
 * A project outside the workspace with `tarballs` installed by npm, as a user's `npm install`
 * (or `npx`) would install them from the registry.
 *
 * Install scripts are skipped and better-sqlite3's native binding is copied from the workspace's
 * build of the same version: no prebuilt binary is downloadable here, and compiling it from
 * source takes about four minutes of the CI budget, while testing nothing of ours.
 */
export function createScratchProject(tarballs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-scratch-"));
  writeFileSync(join(dir, "package.json"), '{ "name": "scratch", "private": true }\n');
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...tarballs],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: cleanEnv() },
  );
  const workspaceSqlite = dirname(
    createRequire(join(repoRoot, "apps/server/package.json")).resolve(
      "better-sqlite3/package.json",
    ),
  );
  const scratchSqlite = dirname(
    createRequire(join(dir, "node_modules/@fluxra/server/package.json")).resolve(
      "better-sqlite3/package.json",
    ),
  );
  mkdirSync(join(scratchSqlite, "build/Release"), { recursive: true });
  copyFileSync(
    join(workspaceSqlite, "build/Release/better_sqlite3.node"),
    join(scratchSqlite, "build/Release/better_sqlite3.node"),
  );
  return dir;
}

/**
 * The environment without what pnpm sets for the running test script (INIT_CWD, npm_config_*),
 * so that npm and the installed CLIs behave as in a user's shell.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "INIT_CWD" || key.toLowerCase().startsWith("npm_")) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A command started with `npx` in the scratch project. */
export interface Started {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Runs `npx <args>` in `cwd` in its own process group (npx starts the real program as a child). */
export function startNpx(cwd: string, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn("npx", ["--no-install", ...args], {
    cwd,
    env: cleanEnv(env),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(-child.pid, "SIGTERM");
        await exited;
      }
    },
  };
}

/** Waits until `started` prints `pattern`, returning the first capture group. */
export async function waitForOutput(
  started: Started,
  pattern: RegExp,
  ms = 30_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const match = started.output().match(pattern);
    if (match?.[1]) return match[1];
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in the output of npx:\n${started.output()}`);
}

/** Runs `npx <args>` to completion in `cwd`. */
export async function runNpx(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const started = startNpx(cwd, args);
  // "close": the process has exited and its output has been read to the end.
  const code = await new Promise<number | null>((done) => started.child.once("close", done));
  return { code, output: started.output() };
}
