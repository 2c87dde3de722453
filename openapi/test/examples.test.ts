import { describe, expect, it } from "vitest";
import { problems } from "./ajv.js";
import { deref, type Json, obj, operations, parameters, spec } from "./spec.js";

interface Sample {
  readonly where: string;
  readonly schema: Json;
  readonly value: unknown;
}

/** The examples of a media type or parameter: `example` and every `examples` entry. */
function examplesOf(holder: Json): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  if ("example" in holder) found.push(["example", holder.example]);
  if (holder.examples !== undefined) {
    for (const [name, e] of Object.entries(obj(holder.examples)))
      found.push([name, deref(e).value]);
  }
  return found;
}

/** Every example that sits beside a schema in requests, responses, parameters and headers. */
function operationSamples(): Sample[] {
  const samples: Sample[] = [];
  for (const { op } of operations()) {
    const id = String(op.operationId);
    const body = op.requestBody === undefined ? undefined : deref(op.requestBody);
    const media = body === undefined ? undefined : obj(obj(body.content)["application/json"]);
    for (const [name, value] of media ? examplesOf(media) : []) {
      samples.push({ where: `${id} request ${name}`, schema: obj(media?.schema), value });
    }
    for (const p of parameters(op)) {
      for (const [name, value] of examplesOf(p)) {
        samples.push({
          where: `${id} parameter ${String(p.name)} ${name}`,
          schema: obj(p.schema),
          value,
        });
      }
    }
    for (const [status, raw] of Object.entries(obj(op.responses))) {
      const response = deref(raw);
      const json =
        response.content === undefined ? undefined : obj(obj(response.content)["application/json"]);
      for (const [name, value] of json ? examplesOf(json) : []) {
        samples.push({ where: `${id} ${status} ${name}`, schema: obj(json?.schema), value });
      }
      for (const [header, h] of Object.entries(obj(response.headers ?? {}))) {
        const resolved = deref(h);
        for (const [name, value] of examplesOf(resolved)) {
          samples.push({
            where: `${id} ${status} header ${header} ${name}`,
            schema: obj(resolved.schema),
            value,
          });
        }
      }
    }
  }
  return samples;
}

/** Every `examples` array of a schema, anywhere inside the component schemas. */
function schemaSamples(): Sample[] {
  const samples: Sample[] = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, `${where}/${i}`);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const schema = node as Json;
    if (Array.isArray(schema.examples)) {
      for (const [i, value] of schema.examples.entries()) {
        samples.push({ where: `${where} examples[${i}]`, schema, value });
      }
    }
    for (const [key, child] of Object.entries(schema))
      if (key !== "examples") walk(child, `${where}/${key}`);
  };
  walk(obj(spec.components).schemas, "#/components/schemas");
  return samples;
}

const fromOperations = operationSamples();
const fromSchemas = schemaSamples();

describe("examples", () => {
  it("are plentiful: every operation shows its request and responses", () => {
    expect(fromOperations.length).toBeGreaterThan(400);
    expect(fromSchemas.length).toBeGreaterThan(30);
  });

  const byOperation = new Map<string, Sample[]>();
  for (const s of fromOperations) {
    const id = s.where.split(" ")[0] ?? "";
    byOperation.set(id, [...(byOperation.get(id) ?? []), s]);
  }
  it.each([...byOperation])("of %s match their schemas", (_id, samples) => {
    for (const s of samples) expect(problems(s.schema, s.value), s.where).toEqual([]);
  });

  it("inside component schemas match those schemas", () => {
    for (const s of fromSchemas) expect(problems(s.schema, s.value), s.where).toEqual([]);
  });

  it("would be refused with an unknown field, since every object is closed", () => {
    const objects = fromOperations.filter(
      (s) => typeof s.value === "object" && s.value !== null && !Array.isArray(s.value),
    );
    expect(objects.length).toBeGreaterThan(300);
    for (const s of objects) {
      expect(
        problems(s.schema, { ...(s.value as object), unexpected_field: 1 }),
        s.where,
      ).not.toEqual([]);
    }
  });

  it("would be refused with a required field missing", () => {
    let checked = 0;
    for (const s of fromOperations) {
      const schema = deref(s.schema);
      if (!Array.isArray(schema.required) || typeof s.value !== "object" || s.value === null)
        continue;
      for (const field of schema.required as string[]) {
        const { [field]: _dropped, ...rest } = s.value as Record<string, unknown>;
        expect(problems(s.schema, rest), `${s.where} without ${field}`).not.toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
