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
// is wired into the client. A new tag in the spec fails here until the SDK wraps its operations.

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

describe("the SDK's resources", () => {
  const operations = listOperations(spec);

  it.each(specDomains(spec).map((d) => [d.tag] as const))(
    "wrap every /api operation of the %s domain",
    (tag) => {
      const ofTag = operations.filter(
        (o) => o.operation.tags?.[0] === tag && o.path.startsWith("/api/"),
      );
      const missing = ofTag.map((o) => `${o.method} ${o.path}`).filter((k) => !wrapped.has(k));
      expect(missing).toEqual([]);
    },
  );

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
