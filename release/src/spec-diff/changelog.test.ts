import { describe, expect, it } from "vitest";
import { byVersion, renderApiChangelog } from "./changelog.js";
import type { Json } from "./types.js";

const op = (summary: string, extra: Json = {}) => ({
  summary,
  responses: { "200": { description: "ok" } },
  ...extra,
});
const v1 = { info: { version: "1.0.0" }, paths: { "/a": { get: op("Get A") } } };
const v11 = {
  info: { version: "1.1.0" },
  paths: { "/a": { get: op("Get A") }, "/b": { post: op("Make B") } },
};
const current = {
  info: { version: "1.1.0" },
  paths: {
    "/b": { post: op("Make B") },
    "/c": { get: op("Watch C", { "x-fluxra-preview": true }) },
  },
};

describe("renderApiChangelog", () => {
  const page = renderApiChangelog(
    [
      { version: "1.1.0", spec: v11 },
      { version: "1.0.0", spec: v1 },
    ],
    current,
  );

  it("lists unreleased changes first, then each release newest first", () => {
    const headings = page.split("\n").filter((l) => l.startsWith("## "));
    expect(headings).toEqual(["## Unreleased", "## 1.1.0", "## 1.0.0"]);
  });

  it("puts each change under its level, from the diff", () => {
    const unreleased = page.slice(0, page.indexOf("## 1.1.0"));
    expect(unreleased).toContain("### Breaking changes");
    expect(unreleased).toContain("| `GET /a` | operation | operation removed |");
    expect(unreleased).toContain(
      "| `GET /c` (preview) | operation | new operation (preview): Watch C |",
    );
    const release = page.slice(page.indexOf("## 1.1.0"), page.indexOf("## 1.0.0"));
    expect(release).toContain("| `POST /b` | operation | new operation: Make B |");
    expect(release).not.toContain("Breaking");
    expect(page.slice(page.indexOf("## 1.0.0"))).toContain(
      "First released description: 1 operations.",
    );
  });

  it("says so when nothing changed", () => {
    expect(renderApiChangelog([{ version: "1.0.0", spec: v1 }], v1)).toContain(
      "No changes to operations or schemas.",
    );
  });
});

it("byVersion sorts numerically", () => {
  expect(["0.10.0", "0.4.0", "0.9.1", "1.0.0"].sort(byVersion)).toEqual([
    "0.4.0",
    "0.9.1",
    "0.10.0",
    "1.0.0",
  ]);
});
