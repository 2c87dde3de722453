import { describe, expect, it } from "vitest";
import {
  component,
  deref,
  exampleCodes,
  type Json,
  type Operation,
  obj,
  operations,
  parameters,
  responses,
  securitySchemes,
} from "./spec.js";

/** The HTTP status each error code is sent with: the spec's `x-status-by-code` on `ErrorCode`. */
const statusOf = component("schemas", "ErrorCode")["x-status-by-code"] as Readonly<
  Record<string, number>
>;

/** Operations whose 2xx body carries a secret (contract/api.md §1 secrets: they send `Cache-Control: no-store`). */
const secretBearing = [
  "registerAgent",
  "createApiKey",
  "exchangeToken",
  "refreshToken",
  "rotateRecoveryKey",
  "recoverAccount",
];

const all = operations();
const named = (o: Operation): [string, Operation] => [String(o.op.operationId), o];
const api = all.filter((o) => o.path.startsWith("/api/"));
const bearer = all.filter((o) => securitySchemes(o.op).length > 0);
const withBody = all.filter((o) => o.method === "post" || o.method === "patch");
const posts = all.filter((o) => o.method === "post");
const withPathParams = all.filter((o) => o.path.includes("{"));
const headerNames = (r: Json): string[] => Object.keys(obj(r.headers ?? {}));
const codes = (o: Operation, status: string): string[] => {
  const r = responses(o.op).get(status);
  return r === undefined ? [] : exampleCodes(r);
};

describe("error responses", () => {
  it.each(bearer.map(named))("%s (needs a credential) documents 401", (_id, o) => {
    expect(codes(o, "401")).toEqual(
      expect.arrayContaining(["missing_credentials", "invalid_credentials"]),
    );
    expect(headerNames(responses(o.op).get("401") ?? {})).toContain("WWW-Authenticate");
    if (securitySchemes(o.op).includes("accessToken")) {
      expect(codes(o, "401")).toEqual(expect.arrayContaining(["token_expired", "session_revoked"]));
    }
  });

  it.each(bearer.filter((o) => securitySchemes(o.op).join() === "recoveryKey").map(named))(
    "%s (recovery key only) documents 403 recovery_key_required",
    (_id, o) => {
      expect(codes(o, "403")).toContain("recovery_key_required");
    },
  );

  it.each(all.filter((o) => securitySchemes(o.op).length === 0 && o.method === "post").map(named))(
    "%s (secret in the body) documents 401 invalid_credentials unless it creates the first credential",
    (id, o) => {
      if (id === "registerAgent") expect(responses(o.op).has("401")).toBe(false);
      else expect(codes(o, "401")).toEqual(["invalid_credentials"]);
    },
  );

  it.each(withBody.map(named))("%s (takes a body) documents 400, 413 and 422", (_id, o) => {
    expect(codes(o, "400")).toEqual(["invalid_json"]);
    expect(codes(o, "413")).toEqual(["payload_too_large"]);
    expect(codes(o, "422")).toContain("validation_failed");
  });

  it.each(posts.map(named))(
    "%s (a POST) takes Idempotency-Key and documents its errors",
    (_id, o) => {
      expect(parameters(o.op).map((p) => `${String(p.in)}:${String(p.name)}`)).toContain(
        "header:Idempotency-Key",
      );
      expect(codes(o, "409")).toContain("idempotency_in_progress");
      expect(codes(o, "422")).toContain("idempotency_key_reused");
      for (const [status, r] of responses(o.op)) {
        if (status.startsWith("2")) expect(headerNames(r)).toContain("Idempotent-Replayed");
      }
    },
  );

  it("Idempotency-Key is only on POSTs", () => {
    const others = all.filter((o) => o.method !== "post");
    for (const o of others)
      expect(parameters(o.op).map((p) => p.name)).not.toContain("Idempotency-Key");
  });

  it.each(api.map(named))(
    "%s (an /api route) documents 429 and sends RateLimit-* headers",
    (_id, o) => {
      const limited = responses(o.op).get("429");
      expect(limited && exampleCodes(limited)).toEqual(["rate_limited"]);
      expect(headerNames(limited ?? {})).toEqual(expect.arrayContaining(["Retry-After"]));
      for (const [status, r] of responses(o.op)) {
        if (/^[24]/.test(status)) {
          expect(headerNames(r), status).toEqual(
            expect.arrayContaining(["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]),
          );
        }
      }
    },
  );

  it.each(withPathParams.map(named))("%s (has path parameters) documents 404 and 422", (_id, o) => {
    const notFound = responses(o.op).get("404");
    const idempotentDelete = o.method === "delete" && o.path.startsWith("/api/blocks/");
    if (idempotentDelete) {
      // Unblocking is idempotent: 204 whether or not the block (or its target) exists.
      expect(notFound).toBeUndefined();
    } else {
      expect(notFound && exampleCodes(notFound)).toContain("not_found");
    }
    expect(codes(o, "422")).toContain("validation_failed");
  });

  it.each(all.map(named))(
    "%s documents 500 and 503 and X-Request-Id on every response",
    (_id, o) => {
      expect(codes(o, "500")).toEqual(["internal_error"]);
      if (o.path !== "/health") expect(codes(o, "503")).toEqual(["service_unavailable"]);
      for (const [status, r] of responses(o.op))
        expect(headerNames(r), status).toContain("X-Request-Id");
    },
  );

  it.each(all.map(named))(
    "%s answers errors with the envelope, each code under its status",
    (_id, o) => {
      for (const [status, r] of responses(o.op)) {
        if (/^[23]/.test(status) || (o.path === "/health" && status === "503")) continue;
        const media = obj(obj(r.content)["application/json"]);
        expect(media.schema).toEqual({ $ref: "#/components/schemas/Error" });
        const found = exampleCodes(r);
        expect(found.length, status).toBeGreaterThan(0);
        for (const code of found) expect(statusOf[code], `${status} ${code}`).toBe(Number(status));
        for (const code of found) expect(String(r.description), code).toContain(`\`${code}\``);
      }
    },
  );

  it("gives every code a 4xx/5xx status, and the prose catalog table agrees with it", () => {
    const errorCode = component("schemas", "ErrorCode");
    const table = [...String(errorCode.description).matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)];
    expect(Object.fromEntries(table.map(([, code, status]) => [code, Number(status)]))).toEqual(
      statusOf,
    );
    for (const status of Object.values(statusOf)) expect(status).toBeGreaterThanOrEqual(400);
  });

  it("uses every ErrorCode somewhere, and no code outside the catalog", () => {
    const catalog = component("schemas", "ErrorCode").enum as string[];
    expect([...catalog].sort()).toEqual(Object.keys(statusOf).sort());
    const used = new Set(all.flatMap((o) => [...responses(o.op).values()].flatMap(exampleCodes)));
    // Routing errors come from paths and methods that no operation has, so they are shown in the
    // Error schema's own examples rather than under an operation.
    const envelope = component("schemas", "Error");
    for (const e of envelope.examples as Json[]) used.add(String(obj(e.error).code));
    expect([...used].sort()).toEqual([...catalog].sort());
  });
});

describe("success responses", () => {
  it.each(all.filter((o) => secretBearing.includes(String(o.op.operationId))).map(named))(
    "%s (returns a secret) sends Cache-Control: no-store",
    (_id, o) => {
      const ok = [...responses(o.op)].filter(([s]) => s.startsWith("2"));
      expect(ok.length).toBeGreaterThan(0);
      for (const [, r] of ok) {
        expect(deref(obj(r.headers)["Cache-Control"]).schema).toEqual({
          type: "string",
          enum: ["no-store"],
        });
      }
    },
  );

  it("Cache-Control no-store is only on secret-bearing operations", () => {
    const others = all.filter((o) => !secretBearing.includes(String(o.op.operationId)));
    for (const o of others)
      for (const [, r] of responses(o.op)) expect(headerNames(r)).not.toContain("Cache-Control");
  });

  it.each(all.map(named))("%s has exactly one tag, a summary and a description", (_id, o) => {
    expect(o.op.tags).toHaveLength(1);
    expect(String(o.op.summary).length).toBeGreaterThan(5);
    expect(String(o.op.description).length).toBeGreaterThan(40);
  });

  it.each(
    all
      .filter((o) => o.method === "get" && String(o.op.operationId).startsWith("list"))
      // The event feed (listEvents) is a position in a stream, not a page of a collection: its
      // `next_cursor` is always present and it has no `has_more` (see EventPage).
      .filter((o) => o.op.operationId !== "listEvents")
      .map(named),
  )("%s (a list) pages with limit and cursor and answers the list envelope", (_id, o) => {
    const names = parameters(o.op).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["limit", "cursor"]));
    const schema = deref(obj(obj(responses(o.op).get("200")?.content)["application/json"]).schema);
    expect(Object.keys(obj(schema.properties))).toEqual(["data", "has_more", "next_cursor"]);
    expect(schema.required).toEqual(["data", "has_more", "next_cursor"]);
  });

  it("201 is used for creations only, 204 responses have no body", () => {
    const created = all
      .filter((o) => responses(o.op).has("201"))
      .map((o) => String(o.op.operationId));
    expect(created.sort()).toEqual(
      [
        "addMember",
        "blockAgent",
        "blockConversation",
        "createApiKey",
        "createConversation",
        "registerAgent",
        "sendMessage",
      ].sort(),
    );
    for (const o of all) expect(responses(o.op).get("204")?.content).toBeUndefined();
  });
});
