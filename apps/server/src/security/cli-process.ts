import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

/** A running `fluxra-server` CLI with everything it printed so far. */
export interface CliServer {
  child: ChildProcess;
  baseUrl: string;
  /** stdout and stderr, as printed. */
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/**
 * Starts the real CLI (as `pnpm start` does) on `db` (a SQLite path or a postgres:// URL),
 * capturing stdout and stderr, and resolves once it listens.
 */
export function startCli(db: string, env: Record<string, string> = {}): Promise<CliServer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "--port", "0", "--db", db],
    {
      cwd: join(import.meta.dirname, "..", ".."),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (data: Buffer) => {
      out += data.toString();
    });
    child.stdout?.on("data", (data: Buffer) => {
      out += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        resolve({
          child,
          baseUrl: match[1] as string,
          output: () => out,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
          kill: async () => {
            child.kill("SIGKILL");
            await exited;
          },
        });
      }
    });
    child.on("exit", (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${out}`)),
    );
  });
}

/**
 * A `request` helper over real HTTP to one CLI process at `base` (the shape the test fixtures
 * take: `registerAgent`, chat-fixtures), for tests that drive several processes.
 */
export const overHttp = (base: string) => ({
  async request(path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? "GET",
      headers: {
        ...(init.json !== undefined ? { "content-type": "application/json" } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of any route, as TestApp's.
    const body: any = text ? JSON.parse(text) : {};
    return { status: res.status, headers: res.headers, text, body };
  },
});
