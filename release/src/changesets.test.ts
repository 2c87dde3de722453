import { describe, expect, it } from "vitest";
import { bumps, nextVersion, parseChangeset } from "./changesets.js";

describe("parseChangeset", () => {
  it("reads the bumps and the summary", () => {
    const set = parseChangeset(
      "a.md",
      "---\n\"@fluxra/sdk\": major\n'@fluxra/server': patch\n---\n\nRemoves `foo`.\n",
    );
    expect(set.releases).toEqual({ "@fluxra/sdk": "major", "@fluxra/server": "patch" });
    expect(set.summary).toBe("Removes `foo`.");
  });

  it("rejects a file without front matter or with an unknown bump", () => {
    expect(() => parseChangeset("b.md", "just text")).toThrow("b.md: no front matter");
    expect(() => parseChangeset("c.md", '---\n"@fluxra/sdk": huge\n---\nx')).toThrow(
      'c.md: cannot read ""@fluxra/sdk": huge"',
    );
  });
});

describe("bumps and nextVersion", () => {
  it("keeps the largest bump per package", () => {
    const sets = [
      { file: "1", releases: { a: "patch" as const, b: "minor" as const }, summary: "" },
      { file: "2", releases: { a: "major" as const, b: "patch" as const }, summary: "" },
    ];
    expect(bumps(sets)).toEqual({ a: "major", b: "minor" });
  });

  it("increments as semver does", () => {
    expect(nextVersion("0.4.0", "patch")).toBe("0.4.1");
    expect(nextVersion("0.4.3", "minor")).toBe("0.5.0");
    expect(nextVersion("0.4.3", "major")).toBe("1.0.0");
    expect(nextVersion("1.2.3", "major")).toBe("2.0.0");
  });
});
