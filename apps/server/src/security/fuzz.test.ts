import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, loadSpec, type TestApp } from "../testing/index.js";
import { deref, listOperations, type OperationEntry } from "../testing/spec.js";
import { headerValue, junkBody, mutate, validArb } from "./schema-arbitrary.js";
import { buildWorld, type World } from "./world.js";

// Property-based fuzzing of every operation with bodies, parameters and headers generated from
// the bundled spec's schemas (valid ones, mutated ones and junk). The property: the server
// never answers 5xx, and every answer validates against the spec (the test helper checks
// status, body schema and required headers of each response, and throws otherwise).
// FLUXRA_FUZZ_RUNS / FLUXRA_FUZZ_SEED change the budget and the seed (fixed by default, so CI
// is reproducible; run with other seeds to hunt).

const doc = loadSpec();
const runs = Number(process.env["FLUXRA_FUZZ_RUNS"] ?? 60);
const seed = Number(process.env["FLUXRA_FUZZ_SEED"] ?? 20261130);
const operations = listOperations(doc);

let t: TestApp;
let http: Awaited<ReturnType<TestApp["listen"]>>;
let w: World;
const stats = new Map<string, Record<string, number>>();
beforeAll(async () => {
  // Generated `wait` values would hold long-polls for up to a minute each: hold them briefly.
  t = createTestApp({ config: { events: { maxWaitSeconds: 0.05 } } });
  // Half of the requests go over real HTTP (node-server's body reading, header parsing).
  http = await t.listen();
});
afterAll(async () => {
  await t.close();
});

/** `arb` with probability `p`, else null. */
function sometimes<T>(p: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  const weight = Math.round(p * 100);
  return fc.oneof(
    { weight, arbitrary: arb },
    { weight: 100 - weight, arbitrary: fc.constant(null) },
  );
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: unknown;
}

function parametersOf(op: OperationEntry): Parameter[] {
  return (op.operation.parameters ?? []).map((p) => deref<Parameter>(doc, p));
}

/** Ids that exist in the world, per path parameter name. */
function knownIds(name: string): string[] {
  switch (name) {
    case "conversation_id":
      return [w.group.id, w.direct.id, w.blockedGroup.id, w.blockedDirect.id];
    case "message_id":
      return [w.ownerMessage.id, w.memberMessage.id, w.directMessage.id];
    case "agent_id":
      return [
        w.member.id,
        w.admin.id,
        w.stranger.id,
        w.blocked.id,
        w.owner.id,
        `@${w.member.handle}`,
      ];
    case "key_id":
      return [w.owner.apiKeyId, w.member.apiKeyId];
    case "session_id":
      return [w.member.sessionId, w.owner.sessionId];
    default:
      return ["x"];
  }
}

function credentialArb(op: OperationEntry): fc.Arbitrary<string | undefined> {
  const security = (op.operation["security"] ?? []) as Record<string, unknown>[];
  const schemes = security.flatMap((s) => Object.keys(s));
  const right = schemes.includes("accessToken")
    ? () => w.owner.accessToken
    : schemes.includes("recoveryKey")
      ? () => w.owner.recoveryKey
      : () => undefined;
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined).map(right) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom("garbage", "eyJhbGciOiJub25lIn0.e30.", "fxk_short").map((v) => v),
        fc.constant(undefined).map(() => w.owner.apiKey),
        fc.constant(undefined).map(() => w.owner.recoveryKey),
        fc.constant(undefined).map(() => w.member.accessToken),
      ),
    },
  );
}

function pathArb(op: OperationEntry, params: Parameter[]): fc.Arbitrary<string> {
  const names = params.filter((p) => p.in === "path");
  const pieces = names.map((p) =>
    fc.oneof(
      {
        weight: 7,
        arbitrary: fc
          .constant(undefined)
          .map(() => fc.sample(fc.constantFrom(...knownIds(p.name)), 1)[0] as string),
      },
      { weight: 2, arbitrary: validArb(doc, p.schema) as fc.Arbitrary<string> },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
    ),
  );
  return fc.tuple(...pieces).map((values) => {
    let path = op.path;
    names.forEach((p, i) => {
      path = path.replace(`{${p.name}}`, encodeURIComponent(String(values[i])));
    });
    return path;
  });
}

function queryArb(params: Parameter[]): fc.Arbitrary<string> {
  const query = params.filter((p) => p.in === "query");
  const entries = query.map((p) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: validArb(doc, p.schema).map((v) => [p.name, String(v)] as const) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((v) => [p.name, v] as const) },
    ),
  );
  const unknown = sometimes(
    0.1,
    fc.tuple(fc.constantFrom("verbose", "debug", "admin", "limit[]"), fc.string({ maxLength: 5 })),
  );
  return fc.tuple(fc.tuple(...entries), unknown).map(([pairs, extra]) => {
    const search = new URLSearchParams();
    for (const pair of pairs) if (pair) search.append(pair[0], pair[1]);
    if (extra) search.append(extra[0], extra[1]);
    const text = search.toString();
    return text ? `?${text}` : "";
  });
}

function bodyArb(op: OperationEntry): fc.Arbitrary<{ body?: string; type?: string }> {
  const requestBody = op.operation.requestBody
    ? deref<{ content: Record<string, { schema: unknown }> }>(doc, op.operation.requestBody)
    : undefined;
  const schema = requestBody?.content["application/json"]?.schema;
  const json = "application/json";
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant(json) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        "text/plain",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/merge-patch+json",
      ),
    },
  );
  if (op.method === "get") return fc.constant({});
  if (!schema) {
    // PUT/DELETE bodies are ignored by the spec; send some anyway.
    return sometimes(0.25, fc.record({ body: junkBody, type: contentType })).map((v) => {
      if (!v) return {};
      return v.type === undefined ? { body: v.body } : { body: v.body, type: v.type };
    });
  }
  const valid = validArb(doc, schema);
  return fc
    .tuple(
      fc.oneof(
        { weight: 5, arbitrary: valid.map((v) => JSON.stringify(v)) },
        {
          weight: 3,
          arbitrary: mutate(doc, schema, valid).map((v) => JSON.stringify(v) ?? "null"),
        },
        { weight: 2, arbitrary: junkBody },
      ),
      contentType,
    )
    .map(([body, type]) => (type === undefined ? { body } : { body, type }));
}

describe("fuzzing every operation from the spec's schemas", () => {
  it.each(operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
    "%s: no 5xx, every answer matches the spec",
    async (label, op) => {
      w = await buildWorld(t);
      const params = parametersOf(op);
      const counts: Record<string, number> = {};
      stats.set(label, counts);
      const request = fc.record({
        credential: credentialArb(op),
        path: pathArb(op, params),
        query:
          op.path.startsWith("/api/") || op.method !== "get" ? queryArb(params) : fc.constant(""),
        body: bodyArb(op),
        idempotencyKey: op.method === "post" ? sometimes(0.3, headerValue) : fc.constant(null),
        requestId: sometimes(0.2, headerValue),
        overHttp: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const headers: Record<string, string> = {};
          if (r.idempotencyKey !== null) headers["Idempotency-Key"] = r.idempotencyKey;
          if (r.requestId !== null) headers["X-Request-Id"] = r.requestId;
          if (r.body.type !== undefined) headers["content-type"] = r.body.type;
          const send = r.overHttp ? http.fetch : t.request;
          const res = await send(`${r.path}${r.query}`, {
            method: op.method.toUpperCase(),
            headers,
            ...(r.credential === undefined ? {} : { token: r.credential }),
            ...(r.body.body === undefined ? {} : { body: r.body.body }),
          });
          const bucket = res.status < 300 ? "2xx" : `${res.status} ${res.body?.error?.code}`;
          counts[bucket] = (counts[bucket] ?? 0) + 1;
          expect(res.status, `${label} → ${res.text.slice(0, 300)}`).toBeLessThan(500);
        }),
        { numRuns: runs, seed, endOnFailure: false },
      );
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(runs);
    },
  );

  it("reached the handlers: most operations answered 2xx to some generated request", () => {
    const succeeded = [...stats.values()].filter((c) => (c["2xx"] ?? 0) > 0).length;
    // console output is the fuzz report (runs per status class per operation).
    console.log([...stats].map(([op, c]) => `${op}: ${JSON.stringify(c)}`).join("\n"));
    expect(succeeded).toBeGreaterThanOrEqual(Math.floor(operations.length * 0.75));
  });
});
