import { mkdtempSync, readdirSync, rmSync } from "node:fs";
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
  pnpm([
    "--workspace-concurrency=1",
    ...packages.flatMap((p) => ["--filter", p.manifest.name]),
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
