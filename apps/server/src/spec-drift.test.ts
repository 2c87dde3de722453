import { describe, expect, it } from "vitest";
import { generateOpenApiDocument } from "./app.js";
import { createTestApp } from "./testing/index.js";
import { operationKeys, operationShape } from "./testing/operation-shape.js";
import { loadSpec, type OpenApiDocument } from "./testing/spec.js";

/**
 * Operations of the spec the server does not implement yet. The test fails when one of them is
 * implemented (so the list only shrinks) and when the server answers anything not in the spec.
 */
const pending = new Set<string>([]);

const spec = loadSpec();
const t = createTestApp();
const generated = generateOpenApiDocument(t.app) as unknown as OpenApiDocument;
await t.close();

const specKeys = operationKeys(spec);
const generatedKeys = new Set(operationKeys(generated));
const implemented = specKeys.filter((key) => !pending.has(key));

describe("the generated OpenAPI document matches openapi/ (drift test)", () => {
  it("lists only operations that exist in the spec", () => {
    expect([...pending].filter((key) => !specKeys.includes(key))).toEqual([]);
    expect([...generatedKeys].filter((key) => !specKeys.includes(key))).toEqual([]);
  });

  it("implements no pending operation (remove it from `pending` once implemented)", () => {
    expect([...pending].filter((key) => generatedKeys.has(key))).toEqual([]);
  });

  it("answers no route outside the spec, even one registered without createRoute", () => {
    const answered = t.app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:([^/]+)/g, "{$1}")}`);
    expect(answered.filter((key) => !specKeys.includes(key))).toEqual([]);
  });

  it.each(implemented)("%s: parameters, request body, statuses and schemas", (key) => {
    expect(generatedKeys.has(key), `${key} is not implemented`).toBe(true);
    expect(operationShape(generated, key)).toEqual(operationShape(spec, key));
  });
});
