import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { entryPoints, tarballFiles, tarballManifest } from "../src/tarball.js";
import { publicPackages, repoRoot } from "../src/workspace.js";

// Every public package under apps/ and packages/ (found on disk, so new ones are covered) carries
// what a registry page, `npm repo`/`npm bugs` and a provenance-signed publish need, and its packed
// tarball holds everything its manifest points at.
const tarballs = inject("tarballs");
const packages = publicPackages().map((p) => [p.manifest.name, p] as const);

describe.each(packages)("%s", (name, { dir, manifest }) => {
  it("has repository (with its folder), homepage, bugs, keywords, license, engines and description", () => {
    expect(manifest.repository).toEqual({
      type: "git",
      url: expect.stringMatching(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/),
      directory: dir,
    });
    const repo = manifest.repository?.url?.replace(/^git\+/, "").replace(/\.git$/, "");
    expect(manifest.homepage).toBe(`${repo}/tree/main/${dir}#readme`);
    expect(manifest.bugs).toEqual({ url: `${repo}/issues` });
    expect(manifest.keywords).toEqual(expect.arrayContaining(["fluxra"]));
    expect(manifest.license).toBe("MIT");
    expect(manifest.engines?.node).toMatch(/^>=20/);
    expect(manifest.description?.length ?? 0).toBeGreaterThan(20);
  });

  it("publishes publicly with provenance", () => {
    expect(manifest.publishConfig).toMatchObject({ access: "public", provenance: true });
  });

  it("has a LICENSE and a README that names the package", () => {
    expect(readFileSync(join(repoRoot, dir, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(readFileSync(join(repoRoot, dir, "README.md"), "utf8")).toContain(name);
  });

  it("packs LICENSE, README and every file its published manifest points at, and no workspace: range", () => {
    const tarball = tarballs[name];
    expect(tarball && existsSync(tarball)).toBe(true);
    const files = tarballFiles(tarball ?? "");
    const packed = tarballManifest(tarball ?? "");
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    const entries = entryPoints(packed);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(files, entry).toContain(entry);
    expect(JSON.stringify(packed)).not.toContain("workspace:");
    expect(JSON.stringify(packed)).not.toContain("catalog:");
    expect(files.filter((f) => /(^|\/)(src|test)\/|\.test\.[jt]s$/.test(f))).toEqual([]);
  });
});

it("finds the published packages on disk", () => {
  expect(packages.map(([name]) => name)).toEqual(
    expect.arrayContaining(["@fluxra/contract-tests", "@fluxra/sdk", "@fluxra/server"]),
  );
});
