import type { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { routes } from "../generated/routes.js";
import { type Invalid, requestValidators } from "../generated/validators.js";
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
