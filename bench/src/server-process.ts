import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (bench/src → ../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The real `fluxra-server` executable (runs the tsup bundle in apps/server/dist). */
export const serverBin = join(repoRoot, "apps", "server", "bin", "fluxra-server.js");

/** A child process serving HTTP on loopback. */
export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** ms from spawn to the "listening" line on stdout. */
  listeningMs: number;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  args: string[];
  env?: Record<string, string>;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Seconds to wait for the listening line. */
  timeoutSeconds?: number;
}

/**
 * Spawns `node <nodeFlags> <args>` and resolves once it prints `listening on http://…`
 * (both the reference CLI and the bare ceiling server print that line).
 */
export function startProcess(options: StartOptions): Promise<RunningServer> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...options.args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If the bench itself dies (error, closed stdout), take the server down with it.
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  void exited.then(() => process.off("exit", orphanGuard));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => {
        void stop();
        reject(new Error(`no listening line after ${options.timeoutSeconds ?? 30} s: ${stderr}`));
      },
      (options.timeoutSeconds ?? 30) * 1000,
    );
    child.stdout?.on("data", (data: Buffer) => {
      out += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1] as string, child, listeningMs: performance.now() - started, stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before listening: ${stderr}`));
    });
  });
}

/** Starts the reference CLI on `dbPath` with rate limits off and a long token lifetime. */
export function startFluxra(dbPath: string, nodeFlags: string[] = []): Promise<RunningServer> {
  return startProcess({
    args: [serverBin, "--port", "0", "--db", dbPath, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off" },
    nodeFlags,
  });
}
