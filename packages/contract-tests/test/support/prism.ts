import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A free loopback port (prism cannot listen on port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running `prism proxy`. */
export interface PrismProxy {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts `prism proxy` (@stoplight/prism-cli 5.14.2) with the bundled spec in front of `upstream`.
 * Without `--errors`: with it, prism answers every request it finds invalid itself, so the suite's
 * deliberately malformed requests would never reach the server. Without it, prism forwards
 * everything and reports what it found in the `sl-violations` response header, which the test reads.
 */
export async function startPrismProxy(upstream: string): Promise<PrismProxy> {
  const port = await freePort();
  const prism = join(packageRoot, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
  const spec = join(packageRoot, "node_modules", "@fluxra", "openapi", "bundled", "fluxra.yaml");
  const child: ChildProcess = spawn(
    process.execPath,
    [prism, "proxy", "-h", "127.0.0.1", "-p", String(port), spec, upstream],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) resolve();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(new Error(`prism exited with ${code}: ${output.slice(-2000)}`)),
    );
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    },
  };
}
