import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { z } from "@hono/zod-openapi";
import { describe, expect, it, vi } from "vitest";
import { routes } from "../generated/routes.js";
import * as s from "../generated/schemas.js";
import {
  type BodyValidator,
  bodyValidators,
  type Invalid,
  requestValidators,
} from "../generated/validators.js";
import { issuesToDetails } from "./openapi.js";

/**
 * The precompiled validators (generated/validators.ts) answer exactly what the zod of the routes
 * answers: the same details (paths, messages, order) for bad input and the same parsed value
 * (numbers converted, defaults applied) for good input, on every operation's path and query.
 */

const crockford = "0123456789abcdefghjkmnpqrstvwxyz";
const idOf = (prefix: string, seed: number) =>
  `${prefix}_${Array.from({ length: 26 }, (_, i) => crockford[(seed * 7 + i * 3) % 32]).join("")}`;

const candidates: (string | string[])[] = [
  "",
  "x",
  "abc",
  "ABC",
  "a".repeat(513),
  "0",
  "1",
  "50",
  "60",
  "61",
  "100",
  "101",
  "-1",
  "1e1",
  "0x10",
  " 5",
  "1.5",
  "agent",
  "conversation",
  "@research-bot",
  "@x",
  ["1", "2"],
  ...["agt", "cnv", "msg", "key", "ses", "blk", "evt"].map((p, i) => idOf(p, i)),
  `${idOf("msg", 1)}X`,
  idOf("msg", 1).toUpperCase(),
];

interface Outcome {
  details: Invalid[];
  value?: unknown;
}

function viaZod(schema: z.ZodType, target: string, input: Record<string, unknown>): Outcome {
  const result = schema.safeParse(input);
  if (result.success) return { details: [], value: result.data };
  return { details: issuesToDetails(target, result.error.issues as never) };
}

function viaValidator(
  validate: (input: Record<string, unknown>, out: Invalid[]) => unknown,
  input: Record<string, unknown>,
): Outcome {
  const out: Invalid[] = [];
  const value = validate(input, out);
  return out.length > 0 ? { details: out } : { details: [], value };
}

/** Null-prototype objects, as the server builds them from the query string. */
const bag = (entries: [string, unknown][]) =>
  Object.assign(Object.create(null) as Record<string, unknown>, Object.fromEntries(entries));

const operations = Object.values(routes).flatMap((table) => Object.values(table));

describe("precompiled request validators", () => {
  it("exist for every operation", () => {
    expect(Object.keys(requestValidators).sort()).toEqual(
      operations.map((r) => r.operationId).sort(),
    );
  });

  it.each(operations.map((r) => [r.operationId, r] as const))(
    "%s: same details and values as zod on path and query",
    (operationId, route) => {
      const validators = requestValidators[operationId] ?? {};
      const request = (route as { request?: { params?: z.ZodObject; query?: z.ZodObject } })
        .request;
      let compared = 0;
      for (const [part, target] of [
        ["params", "param"],
        ["query", "query"],
      ] as const) {
        const schema = request?.[part];
        const validate = validators[part];
        expect(validate === undefined, `${operationId} ${part}`).toBe(schema === undefined);
        if (!schema || !validate) continue;
        const names = Object.keys(schema.shape);
        const inputs: Record<string, unknown>[] = [bag([]), bag([["zz", "1"]])];
        for (const name of names) {
          for (const value of candidates) inputs.push(bag([[name, value]]));
        }
        // Every parameter at once, good or bad, with unknown keys among them.
        for (let i = 0; i < candidates.length; i++) {
          inputs.push(
            bag([
              ...names.map(
                (n, j) => [n, candidates[(i + j * 5) % candidates.length]] as [string, unknown],
              ),
              ...(i % 3 === 0
                ? ([
                    ["__proto__", "1"],
                    ["verbose", "true"],
                  ] as [string, unknown][])
                : []),
            ]),
          );
        }
        for (const input of inputs) {
          expect(viaValidator(validate, input), `${operationId} ${JSON.stringify(input)}`).toEqual(
            viaZod(schema, target, input),
          );
          compared++;
        }
      }
      expect(compared > 0 || request?.query === undefined).toBe(true);
    },
  );
});

// ---- Request bodies -------------------------------------------------------------------------

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  minProperties?: number;
  additionalProperties?: boolean;
  examples?: unknown[];
};

const spec = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json"), "utf8"),
) as {
  components: { schemas: Record<string, Schema>; requestBodies?: Record<string, unknown> };
  paths: Record<string, Record<string, { operationId?: string; requestBody?: unknown }>>;
};
const resolveSchema = (s: Schema): Schema =>
  s.$ref ? resolveSchema(spec.components.schemas[s.$ref.split("/").pop() as string] as Schema) : s;
const typesOf = (s: Schema) => (Array.isArray(s.type) ? s.type : [s.type]);

/** Strings that some schema of the spec accepts (ids, keys, handles, URLs), tried in order. */
const stringPool = [
  "hello",
  "research-bot",
  "text/plain",
  "https://cdn.example.com/a.png",
  "2099-01-01T00:00:00.000Z",
  `fxk_${"aB3".repeat(12)}x9`,
  `fxr_${"Zq7".repeat(12)}k2`,
  ...["agt", "cnv", "msg", "key", "ses", "blk"].map((p, i) => idOf(p, i)),
];

function fits(s: Schema, v: string): boolean {
  return (
    (s.pattern === undefined || new RegExp(s.pattern).test(v)) &&
    v.length >= (s.minLength ?? 0) &&
    v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY)
  );
}

/** A valid value of `schema` (every optional property present), or undefined if none is known. */
function validOf(schema: Schema, all = true): unknown {
  const s = resolveSchema(schema);
  if (s.oneOf) return validOf(s.oneOf[0] as Schema, all);
  if (s.enum) return s.enum[0];
  const type = typesOf(s).find((t) => t !== "null");
  if (type === "string") {
    const example = s.examples?.find((e) => typeof e === "string" && fits(s, e));
    return example ?? stringPool.find((v) => fits(s, v));
  }
  if (type === "boolean") return true;
  if (type === "array") return [validOf(s.items ?? {})];
  if (type === "object") {
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      if (all || s.required?.includes(name)) out[name] = validOf(prop, all);
    }
    if (!s.properties && s.additionalProperties !== false) out["topic"] = "weekly";
    return out;
  }
  return null;
}

/** Bad (and borderline) values for one node of `schema`. */
function variantsOf(schema: Schema): unknown[] {
  const s = resolveSchema(schema);
  const out: unknown[] = [undefined, null, 5, 1.5, true, "x", "", [], {}, ["x"], { a: 1 }];
  // zod measures anything with a `length`, whatever its type.
  out.push({ length: 100 }, { length: "abc" }, { length: null }, { length: 0 }, "x".repeat(40));
  if (s.oneOf) {
    for (const branch of s.oneOf) out.push(validOf(branch), validOf(branch, false));
    out.push({ type: "nope" }, { type: 5 });
  }
  if (s.enum) out.push("nope", String(s.enum[0]).toUpperCase(), ...s.enum);
  if (typesOf(s).includes("string") && !s.enum) {
    const good = validOf(s) as string | undefined;
    if (s.maxLength !== undefined) {
      out.push("a".repeat(s.maxLength + 1), "a".repeat(s.maxLength), "é".repeat(s.maxLength + 1));
      // Astral characters: two UTF-16 units, one code point each.
      out.push("😀".repeat(Math.ceil(s.maxLength / 2) + 1), "😀".repeat(s.maxLength));
    }
    if (good) out.push(`${good}!`, good.toUpperCase(), ` ${good}`, good.slice(1), `${good}/x`);
    out.push("!!!", "a\u0000b", "https://localhost/a.png", "https://127.0.0.1/x", "{", '{"a":1}');
  }
  if (typesOf(s).includes("array")) {
    const item = validOf(s.items ?? {});
    out.push([item, item], [item, 5], [5, item, null], ["BAD!", "also bad", item]);
    if (s.maxItems !== undefined) {
      out.push(Array.from({ length: s.maxItems + 1 }, (_, i) => `t${i}`));
      out.push(Array.from({ length: s.maxItems + 1 }, (_, i) => (i === 3 ? 7 : `t${i}`)));
      out.push(Array.from({ length: s.maxItems + 1 }, () => "BAD!"));
    }
  }
  if (typesOf(s).includes("object") && !s.properties) {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    out.push(deep, { big: "x".repeat(5000) }, JSON.parse('{"__proto__": {"x": 1}, "a": 2}'));
  }
  return out;
}

/** Every property path of an object schema (nested objects included), with its schema. */
function propertyPaths(schema: Schema, at: string[] = []): [string[], Schema][] {
  const s = resolveSchema(schema);
  if (s.oneOf) return s.oneOf.flatMap((b) => propertyPaths(b, at));
  const out: [string[], Schema][] = [];
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    out.push([[...at, name], prop]);
    if (resolveSchema(prop).properties) out.push(...propertyPaths(prop, [...at, name]));
  }
  return out;
}

function setAt(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Good and bad bodies for `schema`: each property varied alone, then several at once. */
function bodiesOf(schema: Schema): unknown[] {
  const s = resolveSchema(schema);
  const bases = s.oneOf
    ? s.oneOf.flatMap((b) => [validOf(b), validOf(b, false)])
    : [validOf(s), validOf(s, false)];
  const bodies: unknown[] = [...bases, ...variantsOf(s)];
  for (const base of bases) {
    bodies.push({ ...(base as object), zz: 1 }, { zz: 1, ...(base as object), yy: [] });
    const rest = JSON.stringify(base).slice(1);
    bodies.push(JSON.parse(`{"__proto__": 1${rest === "}" ? "" : ", "}${rest}`));
    const paths = propertyPaths(s);
    for (const [path, prop] of paths) {
      for (const v of variantsOf(prop)) bodies.push(setAt(base, path, v));
    }
    // Several bad properties at once (details order), with an unknown key among them.
    const mixed = paths.map(([path, prop]) => [path, variantsOf(prop)] as const);
    for (let i = 0; i < 12; i++) {
      let body: unknown = { ...(base as object), ...(i % 3 === 0 ? { extra: true } : {}) };
      mixed.forEach(([path, vs], j) => {
        body = setAt(body, path, vs[(i + j * 5) % vs.length]);
      });
      bodies.push(body);
    }
  }
  // application/json content that does not parse; content only spaces.
  bodies.push(
    { content: "{", content_type: "application/json" },
    { content: '{"a":1}', content_type: "application/json", metadata: null },
    { content: "x".repeat(8001), content_type: "application/json" },
    { content: "😀".repeat(7000), content_type: "text/markdown", reply_to_id: null },
  );
  return bodies;
}

const bodyOperations = Object.entries(spec.paths).flatMap(([, item]) =>
  Object.values(item).flatMap((op) => {
    const ref = op?.requestBody as { $ref?: string; content?: Record<string, { schema: Schema }> };
    if (!op?.operationId || !ref) return [];
    const body = (
      ref.$ref ? spec.components.requestBodies?.[ref.$ref.split("/").pop() as string] : ref
    ) as { content: Record<string, { schema: Schema }> };
    const media = body.content["application/json"];
    return media ? [[op.operationId, media.schema] as const] : [];
  }),
);

const zodBodyOf = (operationId: string) => {
  const route = operations.find((r) => r.operationId === operationId) as {
    request?: { body?: { content: Record<string, { schema: z.ZodType }> } };
  };
  return route.request?.body?.content["application/json"]?.schema as z.ZodType;
};

describe("precompiled body validators", () => {
  it("accept the common bodies without running zod", () => {
    const cases: [string, z.ZodType, unknown][] = [
      ["sendMessage", s.SendMessageRequestSchema, { content: "hello 😀" }],
      [
        "sendMessage",
        s.SendMessageRequestSchema,
        { content: '{"a":1}', content_type: "application/json", metadata: { k: [1] } },
      ],
      ["exchangeToken", s.TokenRequestSchema, { api_key: `fxk_${"aB3".repeat(12)}x9` }],
      ["markRead", s.MarkReadRequestSchema, { message_id: idOf("msg", 3) }],
    ];
    const all = (Object.values(s) as unknown[]).filter(
      (v): v is z.ZodType => typeof (v as { safeParse?: unknown }).safeParse === "function",
    );
    const spies = all.map((schema) => vi.spyOn(schema, "safeParse"));
    try {
      for (const [operationId, , body] of cases) {
        const out: Invalid[] = [];
        expect((bodyValidators[operationId] as BodyValidator)(body, out)).toEqual(body);
        expect(out).toEqual([]);
      }
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // A refused body is handed to zod for its details.
      (bodyValidators["sendMessage"] as BodyValidator)(
        { content: "{", content_type: "application/json" },
        [],
      );
      expect(spies.some((spy) => spy.mock.calls.length > 0)).toBe(true);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it("exist for every operation with a JSON body", () => {
    expect(Object.keys(bodyValidators).sort()).toEqual(bodyOperations.map(([id]) => id).sort());
    expect(bodyOperations.length).toBeGreaterThan(10);
  });

  it.each(bodyOperations)(
    "%s: same outcome, details and value as zod on good and bad bodies",
    (operationId, schema) => {
      const validate = bodyValidators[operationId] as BodyValidator;
      const zodSchema = zodBodyOf(operationId);
      const bodies = bodiesOf(schema);
      let good = 0;
      let bad = 0;
      for (const body of bodies) {
        const out: Invalid[] = [];
        const value = validate(body, out);
        const mine: Outcome = out.length > 0 ? { details: out } : { details: [], value };
        const expected = viaZod(zodSchema, "json", body as Record<string, unknown>);
        expect(mine, `${operationId} ${JSON.stringify(body)?.slice(0, 300)}`).toEqual(expected);
        if (expected.details.length === 0) good++;
        else bad++;
      }
      // Each operation is proven on accepted and refused bodies, not only one kind.
      expect(good, `${operationId}: accepted bodies`).toBeGreaterThan(0);
      expect(bad, `${operationId}: refused bodies`).toBeGreaterThan(10);
    },
  );
});
