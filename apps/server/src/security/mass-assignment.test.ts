import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestAgent, type TestApp } from "../testing/index.js";
import { buildWorld, snapshot, type World } from "./world.js";

// Threat 4 of security.md (OWASP API3): bodies that try to write what is not writable.

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = createTestApp();
  w = await buildWorld(t);
});
afterAll(async () => t.close());

const ts = "2020-01-01T00:00:00.000Z";
const agentId = "agt_00000000000000000000000000";
/** Fields no client may set, with values of a plausible shape. */
const internal: Record<string, unknown> = {
  id: agentId,
  agent_id: agentId,
  handle: "someone-else",
  created_at: ts,
  updated_at: ts,
  deactivated_at: ts,
  deleted_at: ts,
  edited_at: ts,
  joined_at: ts,
  role: "owner",
  roles: ["owner"],
  is_admin: true,
  created_by: agentId,
  author_id: agentId,
  conversation_id: "cnv_00000000000000000000000000",
  seq: 1,
  member_count: 99,
  type: "group",
  content_type: "application/json",
  prefix: "fxk_AAAAAAAA",
  revoked_at: ts,
  last_used_at: ts,
  recovery_key: "fxr_00000000000000000000000000000000000000",
  recovery_key_hash: "0".repeat(64),
  secret_hash: "0".repeat(64),
  key_hash: "0".repeat(64),
  password_hash: "0".repeat(64),
  discoverable_by: "all",
};

interface Target {
  name: string;
  method: string;
  path: () => string;
  as: () => TestAgent;
  /** A valid body the field is added to: the whole request must fail, not just the field. */
  valid: () => Record<string, unknown>;
  /** Fields of `internal` the operation legitimately accepts. */
  writable: string[];
}

const targets: Target[] = [
  {
    name: "updateMe",
    method: "PATCH",
    path: () => "/api/agents/me",
    as: () => w.owner,
    valid: () => ({ display_name: "Changed" }),
    writable: [],
  },
  {
    name: "updateConversation",
    method: "PATCH",
    path: () => `/api/conversations/${w.group.id}`,
    as: () => w.owner,
    valid: () => ({ title: "Changed" }),
    writable: [],
  },
  {
    name: "updateMember",
    method: "PATCH",
    path: () => `/api/conversations/${w.group.id}/members/${w.member.id}`,
    as: () => w.owner,
    valid: () => ({ role: "member" }),
    writable: ["role"],
  },
  {
    name: "editMessage",
    method: "PATCH",
    path: () => `/api/conversations/${w.group.id}/messages/${w.ownerMessage.id}`,
    as: () => w.owner,
    valid: () => ({ content: "changed" }),
    writable: [],
  },
  {
    name: "sendMessage",
    method: "POST",
    path: () => `/api/conversations/${w.group.id}/messages`,
    as: () => w.owner,
    valid: () => ({ content: "new" }),
    writable: ["content_type"],
  },
  {
    name: "createApiKey",
    method: "POST",
    path: () => "/api/auth/api-keys",
    as: () => w.owner,
    valid: () => ({ name: "new" }),
    writable: [],
  },
  {
    name: "addMember",
    method: "POST",
    path: () => `/api/conversations/${w.group.id}/members`,
    as: () => w.owner,
    valid: () => ({ agent_id: w.stranger.id }),
    writable: ["agent_id", "role"],
  },
  {
    name: "createConversation",
    method: "POST",
    path: () => "/api/conversations",
    as: () => w.owner,
    valid: () => ({ type: "group", title: "new" }),
    writable: ["type"],
  },
];

describe("mass assignment", () => {
  it("refuses every non-writable field with 422 at body.<field>; nothing changes", async () => {
    const before = await snapshot(t, w.owner, w);
    let cases = 0;
    for (const target of targets) {
      for (const [field, value] of Object.entries(internal)) {
        if (target.writable.includes(field)) continue;
        const res = await t.request(target.path(), {
          method: target.method,
          token: target.as().accessToken,
          json: { ...target.valid(), [field]: value },
        });
        expect(res.status, `${target.name} + ${field}`).toBe(422);
        expect(res.body.error.details, `${target.name} + ${field}`).toContainEqual(
          expect.objectContaining({ path: `body.${field}` }),
        );
        cases += 1;
      }
    }
    expect(cases).toBeGreaterThan(200);
    expect(await snapshot(t, w.owner, w)).toEqual(before);
  });

  it("registration cannot choose its id, timestamps or recovery key", async () => {
    for (const field of ["id", "created_at", "deactivated_at", "recovery_key", "metadata_hash"]) {
      const res = await t.request("/api/auth/register", {
        method: "POST",
        json: { handle: `mass-${field.replace(/_/g, "-")}`, [field]: internal[field] ?? "x" },
      });
      expect(res.status, field).toBe(422);
      const taken = await t.request(`/api/agents/@mass-${field.replace(/_/g, "-")}`, {
        token: w.owner.accessToken,
      });
      expect(taken.status, field).toBe(404);
    }
  });
});
