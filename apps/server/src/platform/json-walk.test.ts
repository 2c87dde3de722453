import { describe, expect, it } from "vitest";
import { findInJson, jsonTextDepth, jsonValueDepth } from "./json-walk.js";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("JSON walks without recursion", () => {
  it("measures depth on text, skipping brackets in strings and escaped quotes", () => {
    expect(jsonTextDepth("1")).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonTextDepth('{"a":"[[[{{{","b":"\\"[[["}')).toBe(1);
    // A string ending in an escaped backslash closes at its quote; one ending in \" does not.
    expect(jsonTextDepth(JSON.stringify({ a: "\\", b: [[1]] }))).toBe(3);
    expect(jsonTextDepth(JSON.stringify({ a: '\\"[[', b: [[1]] }))).toBe(3);
    expect(jsonTextDepth('{"a":"unterminated [[[')).toBe(1);
    expect(jsonTextDepth(nested(200_000))).toBe(200_000);
    expect(jsonTextDepth(nested(200_000), 64)).toBe(65);
  });

  it("measures depth on values 200,000 levels deep without overflowing the stack", () => {
    const deep = JSON.parse(nested(200_000));
    expect(jsonValueDepth(deep)).toBe(200_000);
    expect(jsonValueDepth(deep, 32)).toBe(33);
    expect(jsonValueDepth({ a: { b: [] }, c: 1 })).toBe(3);
    expect(jsonValueDepth("x")).toBe(0);
  });

  it("finds the first problem in document order, keys before the values under them", () => {
    const check = (text: string, isKey: boolean) =>
      text.startsWith("bad") ? (isKey ? "key" : "value") : undefined;
    const value = { a: ["ok", { b: "bad1" }], bad2: 1, c: "bad3" };
    expect(findInJson(value, "body", check)).toEqual({ path: "body.bad2", message: "key" });
    expect(findInJson({ a: ["ok", "bad"] }, "body", check)).toEqual({
      path: "body.a.1",
      message: "value",
    });
    const deep = JSON.parse(`${"[".repeat(100_000)}"bad"${"]".repeat(100_000)}`);
    expect(findInJson(deep, "body", check)?.message).toBe("value");
    expect(findInJson({ fine: ["x"] }, "body", check)).toBeUndefined();
  });
});
