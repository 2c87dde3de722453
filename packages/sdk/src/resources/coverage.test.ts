import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { specDomains } from "@fluxra/openapi/domains";
import { listOperations } from "@fluxra/openapi/spec-walk";
import { describe, expect, it } from "vitest";
import type { RawClient } from "../client.js";
import { createResources } from "./index.js";

// The SDK's helpers are written by hand, but which operations they must cover is the spec's call:
// every operation of every domain (tag) of the bundled spec is wrapped, and every resource module
// is wired into the client. A new stable tag in the spec fails here until the SDK wraps its
// operations. A new domain ships as a preview (`x-fluxra-preview: true` on its tag): until it has
// a resource module, its operations are reached through the client's typed raw calls
// (`client.GET("/api/…")`, typed from the generated schema), which this test checks instead.

const require = createRequire(import.meta.url);
const spec: unknown = JSON.parse(
  readFileSync(require.resolve("@fluxra/openapi/fluxra.json"), "utf8"),
);
const srcDir = fileURLToPath(new URL("../", import.meta.url));
const resourcesDir = fileURLToPath(new URL("./", import.meta.url));

/** Every source file of the SDK (no tests, no generated code). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sources(`${path}/`);
    return entry.name.endsWith(".ts") && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The `method path` pairs the SDK sends through the raw client (`raw.GET("/api/…"`). */
const wrapped = new Set(
  sources(srcDir).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/\.(GET|POST|PUT|PATCH|DELETE)\(\s*"([^"]+)"/g)].map(
      (m) => `${m[1]?.toLowerCase()} ${m[2]}`,
    ),
  ),
);

/** The resource factories (`export function fooResource(raw)`) of src/resources/, by file. */
const factories = readdirSync(resourcesDir)
  .filter((f) => f.endsWith(".ts") && !f.includes(".test") && f !== "index.ts")
  .flatMap((file) =>
    [
      ...readFileSync(`${resourcesDir}${file}`, "utf8").matchAll(
        /export function (\w+)Resource\(/g,
      ),
    ].map((m) => ({ file, name: m[1] as string })),
  );

/** The tags marked `x-fluxra-preview: true`. */
const previewTags = new Set(
  ((spec as { tags?: Array<{ name: string; "x-fluxra-preview"?: boolean }> }).tags ?? [])
    .filter((t) => t["x-fluxra-preview"] === true)
    .map((t) => t.name),
);

/** The `method path` pairs the generated raw client is typed with (src/generated/schema.ts). */
const typedRaw = (() => {
  const schema = readFileSync(`${srcDir}generated/schema.ts`, "utf8");
  const paths = schema.slice(schema.indexOf("export interface paths {"));
  const out = new Set<string>();
  for (const m of paths.matchAll(/^ {4}"([^"]+)": \{([\s\S]*?)^ {4}\};/gm)) {
    for (const op of (m[2] ?? "").matchAll(/^ {8}(get|put|post|delete|patch): operations\[/gm)) {
      out.add(`${op[1]} ${m[1]}`);
    }
  }
  return out;
})();

describe("the SDK's resources", () => {
  const operations = listOperations(spec);
  const ofTag = (tag: string) =>
    operations.filter((o) => o.operation.tags?.[0] === tag && o.path.startsWith("/api/"));
  /** A preview tag no resource module wraps any operation of: reached through the raw calls. */
  const rawOnly = (tag: string) =>
    previewTags.has(tag) && ofTag(tag).every((o) => !wrapped.has(`${o.method} ${o.path}`));

  it.each(specDomains(spec).map((d) => [d.tag] as const))(
    "wrap every /api operation of the %s domain (or, a preview without helpers, type it raw)",
    (tag) => {
      const keys = ofTag(tag).map((o) => `${o.method} ${o.path}`);
      const reached = rawOnly(tag) ? typedRaw : wrapped;
      expect(keys.filter((k) => !reached.has(k))).toEqual([]);
    },
  );

  it("type every /api operation of the spec on the raw client", () => {
    const keys = operations.filter((o) => o.path.startsWith("/api/"));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.map((o) => `${o.method} ${o.path}`).filter((k) => !typedRaw.has(k))).toEqual([]);
  });

  it("call no operation the spec lacks", () => {
    const inSpec = new Set(operations.map((o) => `${o.method} ${o.path}`));
    expect([...wrapped].filter((k) => !inSpec.has(k))).toEqual([]);
  });

  it("are each wired into the client, with every helper of their module", async () => {
    expect(factories.length).toBeGreaterThan(0);
    const resources = createResources({} as RawClient) as unknown as Record<string, object>;
    expect(Object.keys(resources).sort()).toEqual(factories.map((f) => f.name).sort());
    for (const { file, name } of factories) {
      const module = (await import(pathToFileURL(`${resourcesDir}${file}`).href)) as Record<
        string,
        (raw: RawClient) => object
      >;
      const own = module[`${name}Resource`]?.({} as RawClient) ?? {};
      expect(Object.keys(resources[name] ?? {}).sort(), name).toEqual(Object.keys(own).sort());
    }
  });
});
