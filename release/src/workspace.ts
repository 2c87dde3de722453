import { type ExecFileSyncOptions, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root. */
export const repoRoot = resolve(import.meta.dirname, "../..");

/** The parts of a package.json the release checks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  engines?: { node?: string };
  bin?: Record<string, string>;
  main?: string;
  types?: string;
  exports?: unknown;
  files?: string[];
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

/** A workspace package, with its folder relative to the repository root. */
export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

/** Folders whose packages are published (the rest of the workspace is private tooling). */
const PUBLISHED_FOLDERS = ["apps", "packages"];

/** Reads `dir/package.json` (dir relative to `root`). */
export function readManifest(dir: string, root = repoRoot): Manifest {
  return JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Manifest;
}

/**
 * Every package under apps/ and packages/ that is not `private`: the ones a release publishes.
 * Found on disk, so a new package is covered by the release checks without being listed.
 */
export function publicPackages(root = repoRoot): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const folder of PUBLISHED_FOLDERS) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const dir = `${folder}/${entry.name}`;
      if (!entry.isDirectory() || !existsSync(join(root, dir, "package.json"))) continue;
      const manifest = readManifest(dir, root);
      if (!manifest.private) found.push({ dir, manifest });
    }
  }
  return found.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** Runs pnpm (the one running this test run) and returns its stdout. */
export function pnpm(args: string[], options: ExecFileSyncOptions = {}): string {
  return execFileSync("pnpm", args, {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  }).toString();
}
