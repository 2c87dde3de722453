import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  loadSpec,
  registerAgent,
  type TestAgent,
  type TestApp,
  type TestRequestInit,
} from "./testing/index.js";
import { httpMethods } from "./testing/spec.js";

/**
 * The cross-cutting failures every operation documents, driven by the spec itself: for each
 * operation that declares 400, 401, 413, 429 or 503, provoke it and expect that status with its
 * stable code (every response is also checked against the spec by the test helper).
 */

const spec = loadSpec();
const sampleIds: Record<string, string> = {
  agent_id: "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
  conversation_id: "cnv_01jqzbd3e5f7g9h1j3k5m7n9p1",
  message_id: "msg_01jqzbf1a2b3c4d5e6f7g8h9j0",
  key_id: "key_01jqzbbm4n6p8q0r2s4t6v8w0x",
  session_id: "ses_01jqzbcz1y3x5w7v9t1s3r5q7p",
};

interface Op {
  key: string;
  method: string;
  url: string;
  statuses: string[];
  credential: "none" | "access" | "recovery";
}

const operations: Op[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  httpMethods
    .filter((m) => item[m])
    .map((method) => {
      const op = item[method] as { responses: object; security?: Record<string, unknown>[] };
      const first = Object.keys(op.security?.[0] ?? {})[0];
      return {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, (_, name: string) => sampleIds[name] ?? name),
        statuses: Object.keys(op.responses),
        credential:
          first === "accessToken" ? "access" : first === "recoveryKey" ? "recovery" : "none",
      } satisfies Op;
    }),
);

const withStatus = (status: string, filter: (op: Op) => boolean = () => true) =>
  operations
    .filter((op) => op.statuses.includes(status) && filter(op))
    .map((op) => [op.key, op] as const);

let t: TestApp;
let agent: TestAgent;
beforeAll(async () => {
  t = createTestApp();
  agent = await registerAgent(t);
});
afterAll(async () => t.close());

function credentialFor(op: Op, who: TestAgent): TestRequestInit {
  if (op.credential === "access") return { token: who.accessToken };
  if (op.credential === "recovery") return { token: who.recoveryKey };
  return {};
}

describe("documented failures of every operation", () => {
  // Operations without a security requirement (token exchange, recovery) take the secret in the
  // body; their 401 is about that secret and is tested with their domain.
  it.each(withStatus("401", (op) => op.credential !== "none"))(
    "%s: 401 missing_credentials without a credential",
    async (_, op) => {
      const res = await t.request(op.url, { method: op.method });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("missing_credentials");
    },
  );

  it.each(withStatus("400"))("%s: 400 invalid_json for a broken body", async (_, op) => {
    const res = await t.request(op.url, {
      method: op.method,
      ...credentialFor(op, agent),
      headers: { "content-type": "application/json" },
      body: '{"oops":',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it.each(withStatus("413"))("%s: 413 payload_too_large over 64 KiB", async (_, op) => {
    const res = await t.request(op.url, {
      method: op.method,
      ...credentialFor(op, agent),
      json: { padding: "x".repeat(65 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it.each(withStatus("429"))("%s: 429 rate_limited once the limit is spent", async (_, op) => {
    const limited = createTestApp({
      dbPath: t.dbPath,
      clock: t.clock,
      config: {
        rateLimits: {
          rules: Object.fromEntries(
            ["register", "token", "write", "read", "public"].map((b) => [
              b,
              { limit: 0, windowSeconds: 60 },
            ]),
          ),
        },
      },
    });
    try {
      const res = await limited.request(op.url, { method: op.method, ...credentialFor(op, agent) });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe("rate_limited");
    } finally {
      await limited.close();
    }
  });

  it.each(withStatus("503"))("%s: 503 when the database is unreachable", async (_, op) => {
    const broken = createTestApp({ dbPath: t.dbPath, clock: t.clock });
    // Load the shared keys first, as a running server would have, then lose the database.
    await broken.request("/api/auth/jwks.json");
    broken.store.db.close();
    try {
      const res = await broken.request(op.url, { method: op.method, ...credentialFor(op, agent) });
      expect(res.status).toBe(503);
      if (op.key !== "GET /health") expect(res.body.error.code).toBe("service_unavailable");
    } finally {
      await broken.close();
    }
  });
});
