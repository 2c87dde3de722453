import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./server-process.js";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the server's CLI bundle (`pnpm --filter @fluxra/server build`) when it is missing or
 * older than its sources, so a clean clone benchmarks the same code it would ship.
 */
export function ensureServerBuilt(): void {
  const server = join(repoRoot, "apps", "server");
  const bundle = join(server, "dist", "cli.js");
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestMtime(join(server, "src"))) return;
  console.log("building @fluxra/server (dist/cli.js is missing or stale)…");
  execFileSync("pnpm", ["--filter", "@fluxra/server", "build"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
