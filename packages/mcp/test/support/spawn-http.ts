import { type ChildProcess, spawn } from "node:child_process";

/** A `fluxra-mcp --http` process and the endpoint it printed. */
export interface HttpProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `command args --http --port 0` and waits for its "listening on <url>" line. */
export function spawnHttp(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<HttpProcess> {
  const child = spawn(command, [...args, "--http", "--port", "0"], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 20 s: ${stderr}`)), 20_000);
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        child,
        stderr: () => stderr,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}
