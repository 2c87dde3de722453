import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RouteConfig } from "@hono/zod-openapi";
import { afterAll, describe, expect, it } from "vitest";
import type { DomainTable } from "../generated/operations.js";
import { type BlocksHandlers, blocksRoutes } from "../generated/routes.js";
import { type SpecDomainName, specDomainNames } from "../generated/spec.js";
import { type Domain, domainRouters, domainRoutes, domains } from "./index.js";

const script = fileURLToPath(new URL("../../scripts/generate.mjs", import.meta.url));
const specPath = createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json");
const scratch = mkdtempSync(join(tmpdir(), "fluxra-generate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const generate = (...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });

describe("the domain registry", () => {
  it("src/generated is what the bundled spec generates (run `generate` after a spec change)", () => {
    const run = generate("--check");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("follows the spec's tags: a new tag becomes a domain the registry must serve", () => {
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    const before: string[] = spec.tags.map((t: { name: string }) => t.name.toLowerCase());
    spec.tags.push({ name: "Widgets", description: "Throwaway." });
    spec.paths["/api/widgets"] = { get: { operationId: "listWidgets", tags: ["Widgets"] } };
    const modified = join(scratch, "spec.json");
    writeFileSync(modified, JSON.stringify(spec));

    const stale = generate("--check", "--spec", modified);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(
      "src/generated is stale (spec.ts, domains.ts, operations.ts, routes.ts, validators.ts)",
    );
    expect(generate("--spec", modified, "--out", scratch).status).toBe(0);
    expect(readFileSync(join(scratch, "spec.ts"), "utf8")).toContain(
      `specDomainNames = ${JSON.stringify([...before, "widgets"])} as const`,
    );
    // The folder the new tag needs: without src/domains/widgets/handlers.ts nothing compiles.
    expect(readFileSync(join(scratch, "domains.ts"), "utf8")).toContain(
      'import { widgetsHandlers } from "../domains/widgets/handlers.js";',
    );
  });

  it("serves one router per spec domain, in the spec's order", () => {
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    const tagged = spec.tags.map((t: { name: string }) => t.name.toLowerCase());
    expect([...specDomainNames]).toEqual(tagged);
    expect(Object.keys(domainRouters).sort()).toEqual([...tagged].sort());
    expect(domains).toEqual(specDomainNames.map((d) => domainRouters[d]));
  });

  it("does not compile without a router for every spec domain", () => {
    const { health } = domainRouters;
    // @ts-expect-error the other spec domains are missing
    const partial = { health } satisfies Record<SpecDomainName, Domain>;
    expect(Object.keys(partial)).toEqual(["health"]);
  });

  it("has each operation's route under its operationId, tagged with its domain's tag", () => {
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    const tagOf = new Map(
      spec.tags.map((t: { name: string }) => [t.name.toLowerCase(), t.name] as const),
    );
    for (const domain of specDomainNames) {
      for (const [operationId, route] of Object.entries(domainRoutes[domain])) {
        expect((route as RouteConfig).operationId, operationId).toBe(operationId);
        expect((route as RouteConfig).tags, operationId).toEqual([tagOf.get(domain)]);
      }
    }
  });

  it("does not compile with a route missing from a domain's table", () => {
    const { listBlocks: _dropped, ...rest } = blocksRoutes;
    // @ts-expect-error listBlocks has no route
    const partial = rest satisfies DomainTable<"blocks", RouteConfig>;
    expect(Object.keys(partial)).not.toContain("listBlocks");
  });

  it("does not compile with a handler missing from a domain's handlers", () => {
    const handlers = {} as Omit<BlocksHandlers, "listBlocks">;
    // @ts-expect-error listBlocks has no handler
    const partial: BlocksHandlers = handlers;
    expect(partial).toEqual({});
  });
});
