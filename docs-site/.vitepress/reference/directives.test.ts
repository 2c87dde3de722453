import { describe, expect, it } from "vitest";
import { expandDirectives } from "./directives.js";
import { errorCatalog } from "./error-catalog.js";
import { exampleFromSchema } from "./example.js";
import { fieldRows } from "./schema.js";
import { safeProse } from "./text.js";
import type { OpenApiDocument } from "./types.js";

// A tiny spec with just what each rule needs; the real bundle is exercised by the site build.
const error = (code: string, status: number) => ({
  value: { error: { code, message: "m", status, request_id: "req_1" } },
});
const doc: OpenApiDocument = {
  openapi: "3.1.0",
  info: { title: "T", version: "9.9.9" },
  servers: [{ url: "https://api.example" }],
  tags: [{ name: "Pets", description: "All about <pets>." }],
  security: [{ token: [] }],
  paths: {
    "/pets/{pet_id}": {
      parameters: [{ name: "pet_id", in: "path", required: true, schema: { type: "string" } }],
      get: {
        operationId: "getPet",
        tags: ["Pets"],
        summary: "Get a pet",
        parameters: [{ $ref: "#/components/parameters/RequestId" }],
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
          },
          "404": {
            description: "missing",
            content: { "application/json": { examples: { nf: error("not_found", 404) } } },
          },
        },
      },
    },
  },
  components: {
    securitySchemes: { token: { type: "http", scheme: "bearer" } },
    parameters: { RequestId: { name: "X-Request-Id", in: "header", schema: { type: "string" } } },
    schemas: {
      ErrorCode: {
        type: "string",
        enum: ["not_found", "teapot"],
        description: "| `teapot` | 418 | I am one. |",
      },
      Name: { type: "string", minLength: 1, maxLength: 5, description: "A name." },
      Animal: {
        type: "object",
        required: ["name"],
        properties: { name: { $ref: "#/components/schemas/Name" } },
      },
      Pet: {
        allOf: [
          { $ref: "#/components/schemas/Animal" },
          {
            type: "object",
            properties: {
              born: { type: "string", format: "date-time" },
              owner: { type: "object", properties: { id: { type: "integer" } } },
            },
          },
        ],
      },
    },
  },
};

describe("expandDirectives", () => {
  it("renders every operation of a tag with its anchor, path, parameters and error codes", () => {
    const md = expandDirectives('<!-- fluxra:operations tag="Pets" -->', doc);
    expect(md).toContain("### Get a pet {#getPet}");
    expect(md).toContain("<code>/pets/{pet_id}</code>");
    expect(md).toContain("`pet_id`<br><small>path, required</small>");
    expect(md).toContain("[`X-Request-Id`](/conventions#x-request-id) (optional)");
    expect(md).toContain("**Codes:** `not_found`");
    expect(md).toContain('<TryIt operation-id="getPet" />');
  });

  it("lists which operations accept each credential", () => {
    expect(expandDirectives("<!-- fluxra:credentials -->", doc)).toContain(
      "| [`token`](/reference#security-token) | `bearer` | [`getPet`](/reference#getPet) |",
    );
  });

  it("fails the build on an unknown directive, tag or schema", () => {
    expect(() => expandDirectives("<!-- fluxra:nope -->", doc)).toThrow(/Unknown directive/);
    expect(() => expandDirectives('<!-- fluxra:operations tag="Cats" -->', doc)).toThrow(
      /no operations tagged Cats/,
    );
    expect(() => expandDirectives('<!-- fluxra:schema name="Cat" -->', doc)).toThrow(
      /no schema Cat/,
    );
  });

  it("fills in inline facts and escapes prose that Vue would read as markup", () => {
    expect(expandDirectives("v<!-- fluxra:version --> at <!-- fluxra:base-url -->", doc)).toBe(
      "v9.9.9 at https://api.example",
    );
    expect(expandDirectives('<!-- fluxra:tag name="Pets" -->', doc)).toBe(
      "All about &lt;pets&gt;.",
    );
  });
});

describe("generator pieces", () => {
  it("flattens allOf and expands inline objects, showing scalar refs with their rules", () => {
    const rows = fieldRows(doc, { $ref: "#/components/schemas/Pet" });
    expect(rows.map((r) => r.name)).toEqual(["name", "born", "owner", "owner.id"]);
    expect(rows[0]).toMatchObject({
      required: true,
      description: "A name. Length 1–5 characters.",
    });
  });

  it("builds the error catalog from the enum, with statuses from responses or the description", () => {
    expect(errorCatalog(doc)).toEqual([
      { code: "not_found", statuses: ["404"], operations: ["getPet"], meaning: "" },
      { code: "teapot", statuses: ["418"], operations: [], meaning: "I am one." },
    ]);
  });

  it("synthesizes an example only from the schema when the spec has none", () => {
    expect(exampleFromSchema(doc, { $ref: "#/components/schemas/Pet" })).toEqual({
      name: "string",
      born: "2026-04-03T20:00:00.000Z",
      owner: { id: 1 },
    });
  });

  it("leaves code spans alone when escaping", () => {
    // `>` is harmless once every `<` is escaped, and must stay for Markdown blockquotes.
    expect(safeProse("a <b> `<c>` {{ d }}")).toBe("a &lt;b> `<c>` &#123;&#123; d &#125;&#125;");
  });
});

describe("api-changelog", () => {
  it("renders the diff of the current spec against each released bundle, newest first", () => {
    const page = expandDirectives("<!-- fluxra:api-changelog -->", doc);
    const headings = page.split("\n").filter((l) => l.startsWith("## "));
    expect(headings[0]).toBe("## Unreleased");
    expect(headings).toContain("## 0.4.0");
    // The tiny spec shares no operation with the released API: every released one is "removed".
    expect(page).toContain("| `GET /health` | operation | operation removed |");
    expect(page).toContain("| `GET /pets/{pet_id}` | operation | new operation: Get a pet |");
  });
});
