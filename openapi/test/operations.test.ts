import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { domainName, specDomains } from "../lib/domains.js";
import { endpointsInMarkdown, normalisePath } from "./api-md.js";
import { operations, packageRoot, securitySchemes, spec } from "./spec.js";

/**
 * Every endpoint of api.md with the operationId the spec settled on: [method, path, operationId].
 * Each operation's tag is not restated: it is the domain of the `paths/<domain>.yaml` file that
 * holds it (checked below).
 */
const expected: ReadonlyArray<readonly [string, string, string]> = [
  ["GET", "/health", "getHealth"],
  ["POST", "/api/auth/register", "registerAgent"],
  ["POST", "/api/auth/api-keys", "createApiKey"],
  ["GET", "/api/auth/api-keys", "listApiKeys"],
  ["DELETE", "/api/auth/api-keys/{key_id}", "revokeApiKey"],
  ["POST", "/api/auth/token", "exchangeToken"],
  ["POST", "/api/auth/refresh", "refreshToken"],
  ["GET", "/api/auth/session", "getSession"],
  ["GET", "/api/auth/sessions", "listSessions"],
  ["DELETE", "/api/auth/sessions/{session_id}", "revokeSession"],
  ["POST", "/api/auth/logout", "logout"],
  ["POST", "/api/auth/recovery-key/rotate", "rotateRecoveryKey"],
  ["POST", "/api/auth/recover", "recoverAccount"],
  ["GET", "/api/auth/jwks.json", "getJwks"],
  ["GET", "/api/agents/me", "getMe"],
  ["PATCH", "/api/agents/me", "updateMe"],
  ["DELETE", "/api/agents/me", "deactivateMe"],
  ["GET", "/api/agents/{agent_id}", "getAgent"],
  ["GET", "/api/agents", "listAgents"],
  ["POST", "/api/conversations", "createConversation"],
  ["GET", "/api/conversations", "listConversations"],
  ["GET", "/api/conversations/{conversation_id}", "getConversation"],
  ["PATCH", "/api/conversations/{conversation_id}", "updateConversation"],
  ["GET", "/api/conversations/{conversation_id}/members", "listMembers"],
  ["POST", "/api/conversations/{conversation_id}/members", "addMember"],
  ["PATCH", "/api/conversations/{conversation_id}/members/{agent_id}", "updateMember"],
  ["DELETE", "/api/conversations/{conversation_id}/members/{agent_id}", "removeMember"],
  ["POST", "/api/conversations/{conversation_id}/leave", "leaveConversation"],
  ["POST", "/api/conversations/{conversation_id}/messages", "sendMessage"],
  ["GET", "/api/conversations/{conversation_id}/messages", "listMessages"],
  ["GET", "/api/conversations/{conversation_id}/messages/{message_id}", "getMessage"],
  ["PATCH", "/api/conversations/{conversation_id}/messages/{message_id}", "editMessage"],
  ["DELETE", "/api/conversations/{conversation_id}/messages/{message_id}", "deleteMessage"],
  ["POST", "/api/conversations/{conversation_id}/read", "markRead"],
  ["PUT", "/api/blocks/agents/{agent_id}", "blockAgent"],
  ["DELETE", "/api/blocks/agents/{agent_id}", "unblockAgent"],
  ["PUT", "/api/blocks/conversations/{conversation_id}", "blockConversation"],
  ["DELETE", "/api/blocks/conversations/{conversation_id}", "unblockConversation"],
  ["GET", "/api/blocks", "listBlocks"],
];

/** Extensions beyond the public 0.4.0 contract, each marked `x-fluxra-preview: true`. */
const preview: ReadonlyArray<readonly [string, string, string]> = [
  ["GET", "/api/events", "listEvents"],
];

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

/** The domain file (`paths/<domain>.yaml`) each path item is written in, by path. */
const domainOfPath = new Map(
  readdirSync(join(packageRoot, "paths")).flatMap((file) =>
    Object.keys(parse(readFileSync(join(packageRoot, "paths", file), "utf8"))).map(
      (path) => [path, file.replace(/\.yaml$/, "")] as const,
    ),
  ),
);

describe("operations", () => {
  it("are exactly the endpoints of api.md, no more, no fewer", () => {
    const got = actual.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    const want = [...expected, ...preview].map(([method, path]) => `${method} ${path}`).sort();
    expect(got).toEqual(want);
    expect(got).toHaveLength(endpointsInMarkdown(contract).size + preview.length);
  });

  it("mark exactly the extensions beyond 0.4.0 as previews", () => {
    const marked = actual
      .filter((o) => o.op["x-fluxra-preview"] === true)
      .map((o) => String(o.op.operationId));
    expect(marked.sort()).toEqual(preview.map(([, , id]) => id).sort());
    for (const o of actual.filter((a) => a.op["x-fluxra-preview"] === true))
      expect(String(o.op.description)).toMatch(/^\*\*Preview\.\*\*/);
  });

  it.each([...expected, ...preview])(
    "%s %s is %s, tagged with its file's domain",
    (method, path, operationId) => {
      const found = actual.find((o) => o.method === method.toLowerCase() && o.path === path);
      expect(found?.op.operationId).toBe(operationId);
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
    expect(named.size).toBeGreaterThanOrEqual(39);
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
