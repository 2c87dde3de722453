import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { domainName, specDomains } from "../lib/domains.js";
import { listOperations } from "../lib/spec-walk.js";
import { endpointsInMarkdown, normalisePath } from "./api-md.js";
import { operations, packageRoot, securitySchemes, spec } from "./spec.js";

/**
 * The last released spec: once published, an operation keeps its method, path and operationId
 * (SDK method names and generated clients depend on them). Operations added since are checked for
 * the same shape, not against a list typed out here.
 */
const released = JSON.parse(readFileSync(join(packageRoot, "released", "0.4.0.json"), "utf8"));
const releasedIds = new Map(
  listOperations(released).map(({ method, path, operation }) => [
    `${method} ${path}`,
    String(operation.operationId),
  ]),
);

/** Who may call what (api.md §2, credential layers). Everything not listed takes `accessToken` only. */
const securityByOperation: Readonly<Record<string, readonly string[]>> = {
  getHealth: [],
  registerAgent: [],
  recoverAccount: [],
  exchangeToken: [],
  getJwks: [],
  createApiKey: ["accessToken", "recoveryKey"],
  rotateRecoveryKey: ["recoveryKey"],
  deactivateMe: ["recoveryKey"],
};

const actual = operations();

/** The contract's text, vendored in contract/api.md. */
const contract = readFileSync(join(packageRoot, "contract", "api.md"), "utf8");

/** The parsed `paths/<domain>.yaml` files, by domain. */
const pathFiles = new Map(
  readdirSync(join(packageRoot, "paths")).map(
    (file) =>
      [
        file.replace(/\.yaml$/, ""),
        parse(readFileSync(join(packageRoot, "paths", file), "utf8")) as Record<string, unknown>,
      ] as const,
  ),
);

/** The domain file (`paths/<domain>.yaml`) each path item is written in, by path. */
const domainOfPath = new Map(
  [...pathFiles].flatMap(([domain, doc]) =>
    Object.keys(doc)
      .filter((key) => key.startsWith("/"))
      .map((path) => [path, domain] as const),
  ),
);

/** The normalised `METHOD /path` of an operation, as {@link endpointsInMarkdown} spells it. */
const endpoint = (o: { method: string; path: string }) =>
  `${o.method.toUpperCase()} ${normalisePath(o.path)}`;

/** Extensions beyond the public contract, each marked `x-fluxra-preview: true`. */
const previews = actual.filter((o) => o.op["x-fluxra-preview"] === true);

describe("operations", () => {
  it("are exactly the endpoints of api.md plus the marked previews, no more, no fewer", () => {
    const named = endpointsInMarkdown(contract);
    const got = actual.map(endpoint);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((e) => !named.has(e)).sort()).toEqual(previews.map(endpoint).sort());
    expect(got).toHaveLength(named.size + previews.length);
  });

  it("mark exactly the extensions beyond 0.4.0 as previews", () => {
    const named = endpointsInMarkdown(contract);
    for (const o of previews) {
      expect(named.has(endpoint(o)), endpoint(o)).toBe(false);
      expect(releasedIds.has(`${o.method} ${o.path}`), endpoint(o)).toBe(false);
      expect(String(o.op.description)).toMatch(/^\*\*Preview\.\*\*/);
    }
  });

  it("keep every released operation with its operationId", () => {
    const now = new Map(actual.map((o) => [`${o.method} ${o.path}`, String(o.op.operationId)]));
    expect(releasedIds.size).toBeGreaterThan(0);
    for (const [key, id] of releasedIds) expect(now.get(key), key).toBe(id);
  });

  it.each(actual.map((o) => [o.method.toUpperCase(), o.path, String(o.op.operationId)] as const))(
    "%s %s is %s, tagged with its file's domain",
    (method, path, operationId) => {
      const found = actual.find((o) => o.method === method.toLowerCase() && o.path === path);
      expect(operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(operationId).toBe(releasedIds.get(`${method.toLowerCase()} ${path}`) ?? operationId);
      const domain = domainOfPath.get(path);
      const tag = specDomains(spec).find((d) => d.name === domain)?.tag;
      expect(tag).toBeDefined();
      expect(found?.op.tags).toEqual([tag]);
    },
  );

  it("are grouped into the domains of the spec's tags, one paths/<domain>.yaml each", () => {
    const tags = (spec.tags as Array<{ name: string }>).map((t) => domainName(t.name));
    expect(specDomains(spec).map((d) => d.name)).toEqual(tags);
    expect([...new Set(domainOfPath.values())].sort()).toEqual([...tags].sort());
  });

  it("take each domain's tag from the x-tag of its paths file, as written there", () => {
    for (const tag of spec.tags as Array<{ name: string }>) {
      expect(pathFiles.get(domainName(tag.name))?.["x-tag"], tag.name).toEqual(tag);
    }
  });

  it("have unique operationIds", () => {
    const ids = actual.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(actual.map((o) => [String(o.op.operationId), o] as const))(
    "%s has a summary, a description and the security api.md gives it",
    (id, { op }) => {
      expect(typeof op.summary === "string" && op.summary.length > 0).toBe(true);
      expect(typeof op.description === "string" && op.description.length >= 40).toBe(true);
      expect(securitySchemes(op)).toEqual(securityByOperation[id] ?? ["accessToken"]);
    },
  );

  it("use the path parameter names the spec settled on", () => {
    const names = new Set(
      actual.flatMap((o) => [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])),
    );
    expect([...names].sort()).toEqual([
      "agent_id",
      "conversation_id",
      "key_id",
      "message_id",
      "session_id",
    ]);
  });
});

describe("the contract (contract/api.md)", () => {
  it("names no endpoint the spec lacks", () => {
    const named = endpointsInMarkdown(contract);
    // Preview extensions go beyond the public contract by definition.
    const stable = actual.filter((o) => o.op["x-fluxra-preview"] !== true);
    const inSpec = new Set(stable.map((o) => `${o.method.toUpperCase()} ${normalisePath(o.path)}`));
    expect(named.size).toBeGreaterThanOrEqual(releasedIds.size);
    expect([...named].filter((e) => !inSpec.has(e))).toEqual([]);
    expect([...inSpec].filter((e) => !named.has(e))).toEqual([]);
  });

  it("is parsed with its abbreviations resolved", () => {
    const sample = [
      "| `GET /api/conversations/{id}`, `PATCH` (title) | x |",
      "| `GET/POST /api/conversations/{id}/members`, `PATCH/DELETE …/members/{agent_id}`, `POST …/leave` | x |",
      "| `GET …/messages/{message_id}` | x |",
      "| `PUT /api/blocks/agents/{agent_id}` / `DELETE …` | x |",
      "| `GET /api/blocks?type=agent\\|conversation` | x |",
    ].join("\n");
    expect([...endpointsInMarkdown(sample)].sort()).toEqual(
      [
        "GET /api/conversations/{}",
        "PATCH /api/conversations/{}",
        "GET /api/conversations/{}/members",
        "POST /api/conversations/{}/members",
        "PATCH /api/conversations/{}/members/{}",
        "DELETE /api/conversations/{}/members/{}",
        "POST /api/conversations/{}/leave",
        "GET /api/conversations/{}/messages/{}",
        "PUT /api/blocks/agents/{}",
        "DELETE /api/blocks/agents/{}",
        "GET /api/blocks",
      ].sort(),
    );
  });
});
