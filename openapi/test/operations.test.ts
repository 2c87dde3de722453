import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { endpointsInMarkdown, normalisePath } from "./api-md.js";
import { operations, packageRoot, securitySchemes } from "./spec.js";

/** Every endpoint of api.md with the names decisions.md gives it: [method, path, operationId, tag]. */
const expected: ReadonlyArray<readonly [string, string, string, string]> = [
  ["GET", "/health", "getHealth", "Health"],
  ["POST", "/api/auth/register", "registerAgent", "Auth"],
  ["POST", "/api/auth/api-keys", "createApiKey", "Auth"],
  ["GET", "/api/auth/api-keys", "listApiKeys", "Auth"],
  ["DELETE", "/api/auth/api-keys/{key_id}", "revokeApiKey", "Auth"],
  ["POST", "/api/auth/token", "exchangeToken", "Auth"],
  ["POST", "/api/auth/refresh", "refreshToken", "Auth"],
  ["GET", "/api/auth/session", "getSession", "Auth"],
  ["GET", "/api/auth/sessions", "listSessions", "Auth"],
  ["DELETE", "/api/auth/sessions/{session_id}", "revokeSession", "Auth"],
  ["POST", "/api/auth/logout", "logout", "Auth"],
  ["POST", "/api/auth/recovery-key/rotate", "rotateRecoveryKey", "Auth"],
  ["POST", "/api/auth/recover", "recoverAccount", "Auth"],
  ["GET", "/api/auth/jwks.json", "getJwks", "Auth"],
  ["GET", "/api/agents/me", "getMe", "Agents"],
  ["PATCH", "/api/agents/me", "updateMe", "Agents"],
  ["DELETE", "/api/agents/me", "deactivateMe", "Agents"],
  ["GET", "/api/agents/{agent_id}", "getAgent", "Agents"],
  ["GET", "/api/agents", "listAgents", "Agents"],
  ["POST", "/api/conversations", "createConversation", "Chat"],
  ["GET", "/api/conversations", "listConversations", "Chat"],
  ["GET", "/api/conversations/{conversation_id}", "getConversation", "Chat"],
  ["PATCH", "/api/conversations/{conversation_id}", "updateConversation", "Chat"],
  ["GET", "/api/conversations/{conversation_id}/members", "listMembers", "Chat"],
  ["POST", "/api/conversations/{conversation_id}/members", "addMember", "Chat"],
  ["PATCH", "/api/conversations/{conversation_id}/members/{agent_id}", "updateMember", "Chat"],
  ["DELETE", "/api/conversations/{conversation_id}/members/{agent_id}", "removeMember", "Chat"],
  ["POST", "/api/conversations/{conversation_id}/leave", "leaveConversation", "Chat"],
  ["POST", "/api/conversations/{conversation_id}/messages", "sendMessage", "Chat"],
  ["GET", "/api/conversations/{conversation_id}/messages", "listMessages", "Chat"],
  ["GET", "/api/conversations/{conversation_id}/messages/{message_id}", "getMessage", "Chat"],
  ["PATCH", "/api/conversations/{conversation_id}/messages/{message_id}", "editMessage", "Chat"],
  ["DELETE", "/api/conversations/{conversation_id}/messages/{message_id}", "deleteMessage", "Chat"],
  ["POST", "/api/conversations/{conversation_id}/read", "markRead", "Chat"],
  ["PUT", "/api/blocks/agents/{agent_id}", "blockAgent", "Blocks"],
  ["DELETE", "/api/blocks/agents/{agent_id}", "unblockAgent", "Blocks"],
  ["PUT", "/api/blocks/conversations/{conversation_id}", "blockConversation", "Blocks"],
  ["DELETE", "/api/blocks/conversations/{conversation_id}", "unblockConversation", "Blocks"],
  ["GET", "/api/blocks", "listBlocks", "Blocks"],
];

/** Extensions beyond the public 0.4.0 contract, each marked `x-fluxra-preview: true`. */
const preview: ReadonlyArray<readonly [string, string, string, string]> = [
  ["GET", "/api/events", "listEvents", "Events"],
];

/** decisions.md: who may call what. Everything not listed takes `accessToken` only. */
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

describe("operations", () => {
  it("are exactly the endpoints of api.md, no more, no fewer", () => {
    const got = actual.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    const want = [...expected, ...preview].map(([method, path]) => `${method} ${path}`).sort();
    expect(got).toEqual(want);
    expect(got).toHaveLength(expected.length + preview.length);
  });

  it("mark exactly the extensions beyond 0.4.0 as previews", () => {
    const marked = actual
      .filter((o) => o.op["x-fluxra-preview"] === true)
      .map((o) => String(o.op.operationId));
    expect(marked.sort()).toEqual(preview.map(([, , id]) => id).sort());
    for (const o of actual.filter((a) => a.op["x-fluxra-preview"] === true))
      expect(String(o.op.description)).toMatch(/^\*\*Preview\.\*\*/);
  });

  it.each([...expected, ...preview])("%s %s is %s, tagged %s", (method, path, operationId, tag) => {
    const found = actual.find((o) => o.method === method.toLowerCase() && o.path === path);
    expect(found?.op.operationId).toBe(operationId);
    expect(found?.op.tags).toEqual([tag]);
  });

  it("have unique operationIds", () => {
    const ids = actual.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(actual.map((o) => [String(o.op.operationId), o] as const))(
    "%s has a summary, a description and the security decisions.md gives it",
    (id, { op }) => {
      expect(typeof op.summary === "string" && op.summary.length > 0).toBe(true);
      expect(typeof op.description === "string" && op.description.length >= 40).toBe(true);
      expect(securitySchemes(op)).toEqual(securityByOperation[id] ?? ["accessToken"]);
    },
  );

  it("use the path parameter names of decisions.md", () => {
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

describe("the contract (../shared/design/api.md)", () => {
  const contract = join(packageRoot, "..", "..", "shared", "design", "api.md");
  const present = existsSync(contract);

  it.runIf(present)("names no endpoint the spec lacks", () => {
    const named = endpointsInMarkdown(readFileSync(contract, "utf8"));
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
