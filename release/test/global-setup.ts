import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { pnpm, publicPackages, repoRoot } from "../src/workspace.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Package name → path of its packed tarball (built from this checkout). */
    tarballs: Record<string, string>;
  }
}

/**
 * Builds every public package and packs it once with pnpm (which applies publishConfig and
 * rewrites workspace: versions, as `pnpm publish` does) for the test files that install them.
 */
export default function setup(project: TestProject) {
  const dest = mkdtempSync(join(tmpdir(), "fluxra-packed-"));
  const packages = publicPackages();
  // The root test run has usually just built some of them (their own tests build first).
  const stale = packages.filter((p) => !isBuildFresh(join(repoRoot, p.dir)));
  if (stale.length > 0)
    pnpm([
      "--workspace-concurrency=1",
      ...stale.flatMap((p) => ["--filter", p.manifest.name]),
      "run",
      "build",
    ]);
  const tarballs: Record<string, string> = {};
  for (const { dir, manifest } of packages) {
    const before = new Set(readdirSync(dest));
    pnpm(["pack", "--pack-destination", dest], { cwd: join(repoRoot, dir) });
    const file = readdirSync(dest).find((f) => !before.has(f));
    if (!file) throw new Error(`pnpm pack produced nothing for ${manifest.name}`);
    tarballs[manifest.name] = join(dest, file);
  }
  project.provide("tarballs", tarballs);
  return () => rmSync(dest, { recursive: true, force: true });
}

/** Newest modification time of the files under `path` (0 when it does not exist). */
function newest(path: string, pick: (a: number, b: number) => number, initial: number): number {
  if (!existsSync(path)) return initial;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let out = initial;
  for (const entry of readdirSync(path)) out = pick(out, newest(join(path, entry), pick, initial));
  return out;
}

/** True when `dir/dist` exists and is newer than every source and config file of the package. */
function isBuildFresh(dir: string): boolean {
  const built = newest(join(dir, "dist"), Math.min, Number.POSITIVE_INFINITY);
  if (built === Number.POSITIVE_INFINITY) return false;
  const sources = ["src", "package.json", "tsup.config.ts", "tsconfig.json"].map((f) =>
    newest(join(dir, f), Math.max, 0),
  );
  // The spec and shared helpers are bundled into some packages (contract-tests, server).
  sources.push(newest(join(repoRoot, "openapi/bundled"), Math.max, 0));
  sources.push(newest(join(repoRoot, "openapi/lib"), Math.max, 0));
  return Math.max(...sources) < built;
}
