import { describe, expect, it } from "vitest";
import { problems } from "./ajv.js";
import { deref, type Json, obj, operations, responses, spec } from "./spec.js";

const schemas = obj(obj(spec.components).schemas);
const schema = (name: string): Json => obj(schemas[name]);

/** Component names the spec settled on (the contract leaves them open; pinned here). */
const decided = [
  "ErrorCode",
  "Error",
  "ErrorBody",
  "ErrorDetail",
  "Agent",
  "OwnAgent",
  "RegisterRequest",
  "RegisterResponse",
  "UpdateMeRequest",
  "ApiKey",
  "CreateApiKeyRequest",
  "CreateApiKeyResponse",
  "TokenRequest",
  "TokenResponse",
  "SessionInfo",
  "Session",
  "RecoveryKeyResponse",
  "RecoverRequest",
  "Jwks",
  "Health",
  "Conversation",
  "CreateConversationRequest",
  "CreateDirectConversationRequest",
  "CreateGroupConversationRequest",
  "ConversationCreated",
  "UpdateConversationRequest",
  "Member",
  "AddMemberRequest",
  "UpdateMemberRequest",
  "Message",
  "SendMessageRequest",
  "EditMessageRequest",
  "MarkReadRequest",
  "ReadMarker",
  "Block",
  "AgentList",
  "ApiKeyList",
  "SessionList",
  "ConversationList",
  "MemberList",
  "MessageList",
  "BlockList",
];

/** Free-form JSON owned by clients: the only open objects. */
const openObjects = new Set<unknown>([schema("Metadata"), schema("NullableMetadata")]);

/** The envelope's two optional fields (settled in the spec): only with validation_failed / rate_limited. */
const optionalByDesign: Readonly<Record<string, readonly string[]>> = {
  "#/components/schemas/ErrorBody": ["details", "retry_after_ms"],
};

/** Visits every object schema reachable from `root`, following refs once each. */
function objectSchemas(root: unknown, seen = new Set<unknown>()): Array<[string, Json]> {
  const found: Array<[string, Json]> = [];
  const visit = (node: unknown, where: string): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) visit(n, `${where}/${i}`);
      return;
    }
    const s = node as Json;
    if (typeof s.$ref === "string") {
      visit(deref(s), s.$ref);
      return;
    }
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes("object")) found.push([where, s]);
    for (const key of ["properties"] as const) {
      for (const [k, v] of Object.entries(obj(s[key] ?? {}))) visit(v, `${where}/${k}`);
    }
    for (const key of ["items", "oneOf", "anyOf", "allOf"] as const)
      if (s[key] !== undefined) visit(s[key], where);
  };
  visit(root, "");
  return found;
}

const responseSchemas = operations().flatMap((o) =>
  [...responses(o.op).values()].flatMap((r) =>
    r.content === undefined ? [] : [obj(obj(r.content)["application/json"]).schema],
  ),
);
const requestSchemas = operations().flatMap((o) =>
  o.op.requestBody === undefined
    ? []
    : [obj(obj(deref(o.op.requestBody).content)["application/json"]).schema],
);

describe("component schemas", () => {
  it("include every settled component name", () => {
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(decided));
  });

  it("are closed objects everywhere except client-owned metadata", () => {
    let open = 0;
    for (const [name, s] of Object.entries(schemas)) {
      for (const [where, o] of objectSchemas(s)) {
        if (openObjects.has(o)) {
          expect(o.additionalProperties, `${name}${where}`).toBe(true);
          open++;
        } else {
          expect(o.additionalProperties, `${name}${where}`).toBe(false);
        }
      }
    }
    expect(open).toBeGreaterThan(0);
  });

  it("list every field of a response as required: nullable fields are null, never absent", () => {
    const seen = new Set<unknown>();
    let checked = 0;
    for (const root of responseSchemas) {
      for (const [where, o] of objectSchemas(root, seen)) {
        if (o.properties === undefined) continue;
        const optional = optionalByDesign[where] ?? [];
        const all = Object.keys(obj(o.properties)).filter((k) => !optional.includes(k));
        expect([...(o.required as string[])].sort(), where).toEqual(all.sort());
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("mark nullability with a null type (3.1 style), never `nullable`", () => {
    const text = JSON.stringify(spec);
    expect(text).not.toContain('"nullable"');
    expect(schema("Conversation").properties).toMatchObject({
      title: { type: ["string", "null"] },
      last_message: { oneOf: [{ $ref: "#/components/schemas/Message" }, { type: "null" }] },
    });
  });

  it("bound every string (maxLength, enum or const)", () => {
    const loose: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (typeof node !== "object" || node === null) return;
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) visit(n, `${where}/${i}`);
        return;
      }
      const s = node as Json;
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (
        types.includes("string") &&
        s.maxLength === undefined &&
        s.enum === undefined &&
        s.const === undefined
      ) {
        loose.push(where);
      }
      for (const [k, v] of Object.entries(s)) {
        // A Server-Sent Events stream is open-ended by design: there is no length to bound.
        if (k !== "examples" && k !== "text/event-stream") visit(v, `${where}/${k}`);
      }
    };
    visit(spec.components, "#/components");
    visit(spec.paths, "#/paths");
    expect(loose).toEqual([]);
  });

  it("give request bodies no way to smuggle fields", () => {
    expect(requestSchemas.length).toBeGreaterThan(15);
    for (const root of requestSchemas) {
      for (const [where, o] of objectSchemas(root)) {
        if (openObjects.has(o)) continue;
        expect(o.additionalProperties, where).toBe(false);
      }
    }
  });
});

describe("field rules", () => {
  const ids: Array<[string, string, string]> = [
    ["AgentId", "agt", "agt_01jqzb7x3k9m2n4p6r8s0t1v2w"],
    ["ApiKeyId", "key", "key_01jqzbbm4n6p8q0r2s4t6v8w0x"],
    ["SessionId", "ses", "ses_01jqzbcz1y3x5w7v9t1s3r5q7p"],
    ["ConversationId", "cnv", "cnv_01jqzbd3e5f7g9h1j3k5m7n9p1"],
    ["MessageId", "msg", "msg_01jqzbf1a2b3c4d5e6f7g8h9j0"],
    ["BlockId", "blk", "blk_01jqzbg5h7j9k1m3n5p7q9r1s3"],
  ];

  it.each(ids)("%s is %s_ + 26 lowercase Crockford base32", (name, prefix, good) => {
    expect(problems(schema(name), good)).toEqual([]);
    const body = good.slice(4);
    for (const bad of [
      `${prefix}_${body.slice(1)}`,
      `${prefix}_${body}0`,
      `${prefix}_${body.toUpperCase()}`,
      `${prefix}_${body.slice(0, 25)}u`,
      `${prefix}_${body.slice(0, 25)}i`,
      `xyz_${body}`,
    ]) {
      expect(problems(schema(name), bad), bad).not.toEqual([]);
    }
  });

  it("timestamps need milliseconds and Z", () => {
    expect(problems(schema("Timestamp"), "2026-04-03T20:00:00.000Z")).toEqual([]);
    for (const bad of [
      "2026-04-03T20:00:00Z",
      "2026-04-03T20:00:00.000+00:00",
      "2026-04-03",
      "2026-13-03T20:00:00.000Z",
    ]) {
      expect(problems(schema("Timestamp"), bad), bad).not.toEqual([]);
    }
    expect(problems(schema("NullableTimestamp"), null)).toEqual([]);
  });

  it("secrets have their prefix and 38 base62 characters", () => {
    const key = "fxk_YSeAxk5nBRoqTp1XfVJSxkbMqGPp8t4I1Zsne8";
    expect(problems(schema("ApiKeySecret"), key)).toEqual([]);
    expect(problems(schema("ApiKeySecret"), key.replace("fxk_", "fxr_"))).not.toEqual([]);
    expect(problems(schema("ApiKeySecret"), `${key}x`)).not.toEqual([]);
    expect(problems(schema("RecoveryKey"), key.replace("fxk_", "fxr_"))).toEqual([]);
  });

  it("handles: mixed case accepted on input, lowercase in responses", () => {
    expect(problems(schema("HandleInput"), "Research-Bot")).toEqual([]);
    expect(problems(schema("Handle"), "Research-Bot")).not.toEqual([]);
    for (const bad of ["ab", "a".repeat(33), "has space", "dot.ted"]) {
      expect(problems(schema("HandleInput"), bad), bad).not.toEqual([]);
    }
  });

  it("profiles: tag, description and avatar limits", () => {
    const update = schema("UpdateMeRequest");
    expect(problems(update, { tags: Array.from({ length: 20 }, (_, i) => `t${i}`) })).toEqual([]);
    expect(problems(update, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).not.toEqual(
      [],
    );
    expect(problems(update, { tags: ["a", "a"] })).not.toEqual([]);
    expect(problems(update, { tags: ["x".repeat(33)] })).not.toEqual([]);
    expect(problems(update, { description: "x".repeat(1001) })).not.toEqual([]);
    expect(problems(update, { avatar_url: "http://cdn.example.com/a.png" })).not.toEqual([]);
    expect(problems(update, { avatar_url: "file:///etc/passwd" })).not.toEqual([]);
    expect(problems(update, { avatar_url: null })).toEqual([]);
    for (const field of ["id", "handle", "created_at", "updated_at", "deactivated_at"]) {
      expect(problems(update, { [field]: "x" }), field).not.toEqual([]);
    }
    expect(problems(update, {})).not.toEqual([]);
  });

  it("messages: content 1-8,000 characters, three content types", () => {
    const send = schema("SendMessageRequest");
    expect(problems(send, { content: "x".repeat(8000) })).toEqual([]);
    expect(problems(send, { content: "x".repeat(8001) })).not.toEqual([]);
    expect(problems(send, { content: "" })).not.toEqual([]);
    expect(problems(send, { content: "x", content_type: "text/html" })).not.toEqual([]);
    expect(problems(schema("EditMessageRequest"), {})).not.toEqual([]);
    expect(problems(schema("EditMessageRequest"), { content_type: "text/plain" })).not.toEqual([]);
  });

  it("conversations: direct or group by `type`, at most 99 invitees", () => {
    const create = schema("CreateConversationRequest");
    const agent = "agt_01jqzb8c5d7f9g1h3j5k7m9n0p";
    expect(problems(create, { type: "direct", agent_id: agent })).toEqual([]);
    expect(problems(create, { type: "direct", agent_id: agent, title: "x" })).not.toEqual([]);
    expect(problems(create, { type: "group", title: "Paper club" })).toEqual([]);
    expect(problems(create, { type: "group" })).not.toEqual([]);
    expect(problems(create, { type: "group", title: "x".repeat(101) })).not.toEqual([]);
    expect(
      problems(create, { type: "group", title: "x", member_ids: Array(99).fill(agent) }),
    ).toEqual([]);
    expect(
      problems(create, { type: "group", title: "x", member_ids: Array(100).fill(agent) }),
    ).not.toEqual([]);
    expect(problems(create, { type: "channel", title: "x" })).not.toEqual([]);
  });

  it("errors: details and retry_after_ms are optional, the rest required", () => {
    const minimal = {
      code: "not_found",
      message: "Not found.",
      status: 404,
      request_id: "req_01jqzbh2j4k6m8n0p2q4r6s8t0",
    };
    expect(problems(schema("Error"), { error: minimal })).toEqual([]);
    expect(problems(schema("Error"), { error: { ...minimal, code: "teapot" } })).not.toEqual([]);
    expect(
      problems(schema("Error"), {
        error: { ...minimal, details: [{ path: "query.limit", message: "too big" }] },
      }),
    ).toEqual([]);
    expect(problems(schema("Error"), { error: { ...minimal, stack: "at x" } })).not.toEqual([]);
  });
});
