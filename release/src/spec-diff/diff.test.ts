import { describe, expect, it } from "vitest";
import { diffSpecs } from "./diff.js";
import type { Json } from "./types.js";

/** A one-operation spec: POST /things with `body` and a 201 returning `reply`, plus extra paths. */
function spec(
  options: { body?: Json; reply?: Json; params?: Json[]; paths?: Json; op?: Json } = {},
): Json {
  return {
    openapi: "3.1.0",
    info: { version: "1.0.0" },
    security: [{ bearer: [] }],
    paths: {
      "/things/{thing_id}": {
        post: {
          operationId: "createThing",
          parameters: options.params ?? [
            { name: "thing_id", in: "path", required: true, schema: { type: "string" } },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: options.body ?? { $ref: "#/components/schemas/Body" } },
            },
          },
          responses: {
            "201": {
              description: "ok",
              headers: { "X-Request-Id": { schema: { type: "string" } } },
              content: {
                "application/json": {
                  schema: options.reply ?? { $ref: "#/components/schemas/Thing" },
                },
              },
            },
            "404": { description: "missing" },
          },
          ...options.op,
        },
      },
      ...options.paths,
    },
    components: {
      schemas: {
        Body: {
          type: "object",
          required: ["name"],
          properties: {
            name: { type: "string", maxLength: 100 },
            note: { type: "string" },
            kind: { enum: ["a", "b"] },
          },
        },
        Thing: {
          type: "object",
          required: ["id", "name"],
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            size: { type: "integer" },
          },
        },
      },
    },
  };
}

const body = (schema: Json) => spec({ body: schema });
const base = spec();
const levels = (after: Json, before: Json = base) =>
  diffSpecs(before, after).map((c) => `${c.level}: ${c.where}: ${c.message}`);
const breaking = (after: Json, before: Json = base) =>
  diffSpecs(before, after)
    .filter((c) => c.level === "breaking")
    .map((c) => `${c.operation} ${c.where}: ${c.message}`);

const bodySchema = base.components.schemas.Body;
const thing = base.components.schemas.Thing;

describe("diffSpecs", () => {
  it("finds nothing between a spec and itself", () => {
    expect(diffSpecs(base, structuredClone(base))).toEqual([]);
  });

  it("a removed operation is breaking", () => {
    const after = structuredClone(base);
    after.paths = {};
    expect(breaking(after)).toEqual(["POST /things/{thing_id} operation: operation removed"]);
  });

  it("a renamed path parameter is not a removal", () => {
    const after = structuredClone(base);
    after.paths = { "/things/{id}": after.paths["/things/{thing_id}"] };
    expect(breaking(after)).toEqual([]);
  });

  it("a new operation is an addition, and a new preview operation too", () => {
    const after = spec({
      paths: {
        "/events": {
          get: {
            summary: "List events",
            "x-fluxra-preview": true,
            responses: { "200": { description: "ok" } },
          },
        },
      },
    });
    expect(diffSpecs(base, after)).toEqual([
      {
        level: "addition",
        operation: "GET /events",
        where: "operation",
        message: "new operation (preview): List events",
        preview: true,
      },
    ]);
  });

  it("changing or removing a preview operation is never breaking", () => {
    const preview = spec({ op: { "x-fluxra-preview": true } });
    const removed = structuredClone(preview);
    removed.paths = {};
    expect(breaking(removed, preview)).toEqual([]);
    expect(levels(removed, preview)).toEqual(["change: operation: operation removed"]);
    const narrowed = spec({
      op: { "x-fluxra-preview": true },
      body: { ...bodySchema, required: ["name", "note"] },
    });
    expect(breaking(narrowed, preview)).toEqual([]);
  });

  it("a new required request field is breaking; a new optional one is an addition", () => {
    const required = body({
      ...bodySchema,
      required: ["name", "extra"],
      properties: { ...bodySchema.properties, extra: { type: "string" } },
    });
    expect(breaking(required)).toEqual([
      "POST /things/{thing_id} request body.extra: new required field",
    ]);
    const optional = body({
      ...bodySchema,
      properties: { ...bodySchema.properties, extra: { type: "string" } },
    });
    expect(levels(optional)).toEqual(["addition: request body.extra: new optional field"]);
  });

  it("an optional request field made required is breaking, the reverse is not", () => {
    expect(breaking(body({ ...bodySchema, required: ["name", "note"] }))).toEqual([
      "POST /things/{thing_id} request body.note: optional field is now required",
    ]);
    expect(breaking(body({ ...bodySchema, required: [] }))).toEqual([]);
  });

  it("narrowed request types, enums and limits are breaking; widened ones are additions", () => {
    const narrowed = body({
      ...bodySchema,
      properties: {
        name: { type: "string", maxLength: 50 },
        note: { type: "integer" },
        kind: { enum: ["a"] },
      },
    });
    expect(breaking(narrowed)).toEqual([
      "POST /things/{thing_id} request body.name: maxLength 100 → 50: accepts less",
      "POST /things/{thing_id} request body.note: type string → integer: no longer accepts string",
      'POST /things/{thing_id} request body.kind: no longer accepts "b"',
    ]);
    const widened = body({
      ...bodySchema,
      properties: {
        name: { type: "string", maxLength: 200 },
        note: { type: ["string", "null"] },
        kind: { enum: ["a", "b", "c"] },
      },
    });
    expect(breaking(widened)).toEqual([]);
    expect(levels(widened)).toEqual([
      "addition: request body.name: maxLength 100 → 200",
      "addition: request body.note: type string → string|null",
      'addition: request body.kind: new value "c"',
    ]);
  });

  it("a removed request field is breaking", () => {
    const { note: _, ...rest } = bodySchema.properties;
    expect(breaking(body({ ...bodySchema, properties: rest }))).toEqual([
      "POST /things/{thing_id} request body.note: field removed (no longer accepted)",
    ]);
  });

  it("a removed response field, or one that may now be absent, is breaking; a new one is not", () => {
    const { size: _, ...rest } = thing.properties;
    expect(breaking(spec({ reply: { ...thing, properties: rest } }))).toEqual([
      "POST /things/{thing_id} response 201.size: field removed",
    ]);
    expect(breaking(spec({ reply: { ...thing, required: ["id"] } }))).toEqual([
      "POST /things/{thing_id} response 201.name: field may now be absent",
    ]);
    const added = spec({
      reply: { ...thing, properties: { ...thing.properties, colour: { type: "string" } } },
    });
    expect(levels(added)).toEqual(["addition: response 201.colour: new field"]);
  });

  it("a response type that may now be null is breaking", () => {
    const after = spec({
      reply: { ...thing, properties: { ...thing.properties, name: { type: ["string", "null"] } } },
    });
    expect(breaking(after)).toEqual([
      "POST /things/{thing_id} response 201.name: type string → string|null: may now return null",
    ]);
  });

  it("parameters: a new required one or a removed one is breaking, a new optional one is not", () => {
    const path = { name: "thing_id", in: "path", required: true, schema: { type: "string" } };
    const limit = { name: "limit", in: "query", schema: { type: "integer" } };
    expect(levels(spec({ params: [path, limit] }))).toEqual([
      "addition: query parameter limit: new optional parameter",
    ]);
    expect(breaking(spec({ params: [path, { ...limit, required: true }] }))).toEqual([
      "POST /things/{thing_id} query parameter limit: new required parameter",
    ]);
    expect(breaking(spec({ params: [] }))).toEqual([
      "POST /things/{thing_id} path parameter thing_id: parameter removed",
    ]);
  });

  it("a removed success response or response header is breaking; a removed error response is not", () => {
    const noHeader = structuredClone(base);
    noHeader.paths["/things/{thing_id}"].post.responses["201"].headers = {};
    expect(breaking(noHeader)).toEqual([
      "POST /things/{thing_id} response 201 header X-Request-Id: header removed",
    ]);
    const no404 = structuredClone(base);
    delete no404.paths["/things/{thing_id}"].post.responses["404"];
    expect(breaking(no404)).toEqual([]);
    expect(levels(no404)).toEqual(["change: response 404: response removed"]);
  });

  it("an operation that starts requiring credentials is breaking", () => {
    const before = spec({ op: { security: [] } });
    expect(breaking(base, before)).toEqual([
      "POST /things/{thing_id} security: now requires credentials",
    ]);
  });

  it("follows $refs through allOf and survives recursive schemas", () => {
    const recursive = (extra: Json = {}) => {
      const s = spec({ reply: { allOf: [{ $ref: "#/components/schemas/Node" }] } });
      s.components.schemas.Node = {
        type: "object",
        required: ["id"],
        properties: {
          id: { type: "string" },
          child: { $ref: "#/components/schemas/Node" },
          ...extra,
        },
      };
      return s;
    };
    expect(diffSpecs(recursive(), recursive())).toEqual([]);
    expect(levels(recursive({ depth: { type: "integer" } }), recursive())).toEqual([
      // The allOf wrapper is not the Node schema itself, so its first level is walked once more.
      "addition: response 201.child.depth: new field",
      "addition: response 201.depth: new field",
    ]);
  });
});
