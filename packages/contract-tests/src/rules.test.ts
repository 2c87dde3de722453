import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { bundledSpec, domains, listOperations, resolvePointer } from "./core/spec.js";
import { allRules } from "./rules.js";

// Every rule says where it is written (`ref`). Each citation in it must resolve to something in the
// repository: a section of the vendored contract (openapi/contract/api.md), a row of its security
// requirements (security.md), an operation or a JSON pointer of the bundled spec, or a preview tag.

const require = createRequire(import.meta.url);
const read = (file: string) =>
  readFileSync(require.resolve(`@fluxra/openapi/contract/${file}`), "utf8");
const apiMd = read("api.md");
const securityMd = read("security.md");
const spec = bundledSpec();
const operations = listOperations(spec);

const verbs = "GET|POST|PUT|PATCH|DELETE";

/** Why each citation of `ref` does not resolve (empty when they all do). */
function dangling(ref: string): string[] {
  const out: string[] = [];
  if (!/^(api\.md §\d|spec )/.test(ref)) out.push("cites neither api.md nor the spec first");
  for (const [, n, title] of ref.matchAll(/api\.md §(\d+)(?: ([A-Z][a-z]+))?/g)) {
    const heading = new RegExp(`^## ${n}\\. ${title ?? ""}`, "m");
    if (!heading.test(apiMd)) out.push(`api.md has no section §${n} ${title ?? ""}`);
  }
  for (const [, from, to] of ref.matchAll(/security\.md #(\d+)(?:[–-](\d+))?/g)) {
    for (let n = Number(from); n <= Number(to ?? from); n++) {
      if (!new RegExp(`^\\| ${n} \\|`, "m").test(securityMd)) out.push(`security.md has no #${n}`);
    }
  }
  for (const [, pointer] of ref.matchAll(/#(\/[^\s:)]+)/g)) {
    try {
      resolvePointer(spec, pointer as string);
    } catch {
      out.push(`the spec has no #${pointer}`);
    }
  }
  for (const [, methods, path] of ref.matchAll(
    new RegExp(`\\b((?:${verbs})(?:/(?:${verbs}))*) ((?:/|…/)[^\\s;,()]*)`, "g"),
  )) {
    for (const method of (methods as string).toLowerCase().split("/")) {
      const target = path as string;
      const found = target.startsWith("…")
        ? operations.some((o) => o.method === method && o.path.endsWith(target.slice(1)))
        : operations.some((o) => o.method === method && o.path === target);
      if (!found) out.push(`the spec has no ${method.toUpperCase()} ${target}`);
    }
  }
  for (const [, tag] of ref.matchAll(/^spec (\w+) \(preview\)/g)) {
    const declared = (spec["tags"] as Array<Record<string, unknown>> | undefined)?.find(
      (t) => t["name"] === tag,
    );
    if (declared?.["x-fluxra-preview"] !== true) out.push(`the spec has no preview tag ${tag}`);
  }
  return out;
}

describe("rule references", () => {
  it.each(allRules.map((r) => [r.id, r.ref] as const))("%s cites what exists: %s", (_id, ref) => {
    expect(dangling(ref)).toEqual([]);
  });

  it("catch a dangling citation of each kind", () => {
    expect(dangling("api.md §9 Contracts")).toHaveLength(1);
    expect(dangling("api.md §4 Agents")).toHaveLength(1);
    expect(dangling("decisions.md #3")).toHaveLength(1);
    expect(dangling("api.md §1 Conventions · security.md #99")).toHaveLength(1);
    expect(dangling("api.md §4 Chat · spec #/components/schemas/NoSuchThing")).toHaveLength(1);
    expect(dangling("api.md §4 Chat · PATCH/DELETE …/no-such-route")).toHaveLength(2);
    expect(dangling("api.md §3 Agents · PUT /api/agents/me")).toHaveLength(1);
    expect(dangling("spec Chat (preview) · GET /api/events")).toHaveLength(1);
    expect(dangling("api.md §4 Chat · POST …/messages; security.md #1–3")).toEqual([]);
  });
});

describe("the suite's domains", () => {
  it("are one folder each, exactly the spec's domains plus conventions, each with rules", () => {
    const folders = readdirSync(new URL("./", import.meta.url), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== "core")
      .map((e) => e.name);
    expect([...folders].sort()).toEqual([...domains].sort());
    for (const domain of domains) {
      expect(allRules.filter((r) => r.domain === domain).length, domain).toBeGreaterThan(0);
    }
  });
});
