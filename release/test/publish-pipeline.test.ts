import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bumps, nextVersion, readChangesets } from "../src/changesets.js";
import { cleanEnv } from "../src/scratch.js";
import { tarballManifest } from "../src/tarball.js";
import { publicPackages, readManifest, repoRoot, type WorkspacePackage } from "../src/workspace.js";

// The release pipeline, end to end short of uploading: `changeset version` then
// `pnpm publish -r --dry-run`, on a temporary copy of this checkout (the repository itself is
// never touched). The global set-up has built every public package's dist/.
const packages = publicPackages();
const pending = bumps(readChangesets(join(repoRoot, ".changeset")));
let copy: string;
let publishOutput = "";

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    cwd: copy,
    encoding: "utf8",
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "fluxra-release-"));
  const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f && existsSync(join(repoRoot, f)));
  for (const file of files) {
    cpSync(join(repoRoot, file), join(copy, file), { recursive: true });
  }
  // Built output is git-ignored, so it is copied on its own (a package may have none).
  for (const { dir } of packages) {
    const dist = join(repoRoot, dir, "dist");
    if (existsSync(dist)) cpSync(dist, join(copy, dir, "dist"), { recursive: true });
  }
  run(process.execPath, [join(repoRoot, "node_modules/@changesets/cli/bin.js"), "version"]);
  // Workspace links must point at the copy's (re-versioned) packages: install from the store.
  run("pnpm", ["install", "--offline", "--frozen-lockfile", "--ignore-scripts"]);
  const result = execFileSync(
    "pnpm",
    ["publish", "-r", "--dry-run", "--no-git-checks", "--report-summary"],
    {
      cwd: copy,
      encoding: "utf8",
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  publishOutput = result;
}, 600_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

const versioned = (p: WorkspacePackage) => readManifest(p.dir, copy);

describe("changeset version", () => {
  it("has pending changesets to release (the repository's own .changeset/)", () => {
    expect(Object.keys(pending).length).toBeGreaterThan(0);
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    "%s gets the version its changesets ask for, and a CHANGELOG entry with their summaries",
    (name, p) => {
      const bump = pending[name];
      const after = versioned(p).version;
      if (!bump) {
        // Untouched, or a patch because a workspace dependency moved (updateInternalDependencies).
        expect([p.manifest.version, nextVersion(p.manifest.version, "patch")]).toContain(after);
        return;
      }
      expect(after).toBe(nextVersion(p.manifest.version, bump));
      const changelog = readFileSync(join(copy, p.dir, "CHANGELOG.md"), "utf8");
      expect(changelog).toContain(`## ${after}`);
      for (const set of readChangesets(join(repoRoot, ".changeset"))) {
        if (set.releases[name]) expect(changelog).toContain(set.summary.split("\n")[0]);
      }
    },
  );

  it("consumes the changesets and leaves the repository untouched", () => {
    expect(readChangesets(join(copy, ".changeset"))).toEqual([]);
    for (const p of packages) expect(readManifest(p.dir).version).toBe(p.manifest.version);
    expect(existsSync(join(repoRoot, ".changeset", "config.json"))).toBe(true);
  });
});

describe("pnpm publish -r --dry-run", () => {
  it("would publish every public package at its new version, with public access", () => {
    const summary = JSON.parse(readFileSync(join(copy, "pnpm-publish-summary.json"), "utf8")) as {
      publishedPackages: { name: string; version: string }[];
    };
    const published = summary.publishedPackages.map((p) => `${p.name}@${p.version}`).sort();
    expect(published).toEqual(
      packages.map((p) => `${p.manifest.name}@${versioned(p).version}`).sort(),
    );
    expect(publishOutput).not.toContain("workspace:");
  });

  it("packs dist, README and LICENSE, and pins workspace dependencies to their new versions", () => {
    for (const p of packages) {
      const out = run("pnpm", [
        "--filter",
        p.manifest.name,
        "pack",
        "--pack-destination",
        copy,
        "--json",
      ]);
      const packed = JSON.parse(out) as { filename: string; files: { path: string }[] };
      const files = packed.files.map((f) => f.path);
      expect(files, p.manifest.name).toEqual(
        expect.arrayContaining(["LICENSE", "README.md", "package.json"]),
      );
      expect(
        files.some((f) => f.startsWith("dist/")),
        p.manifest.name,
      ).toBe(true);
      const manifest = tarballManifest(packed.filename);
      expect(manifest.version).toBe(versioned(p).version);
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        const target = packages.find((q) => q.manifest.name === dep);
        if (target) expect(range, `${p.manifest.name} → ${dep}`).toBe(versioned(target).version);
      }
    }
  });
});
