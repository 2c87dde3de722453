import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryArrays, elementsOf } from "./binary-arrays.js";
import { createTestPostgresStore } from "./test-store.js";

/**
 * The send batch's array parameters go in PostgreSQL's binary array format (binary-arrays.ts):
 * the server must read exactly the values node-pg's text format gives it, whatever they hold.
 */
describe("binary array parameters on PostgreSQL", () => {
  const store = createTestPostgresStore({ shareKey: "binary-arrays" });
  beforeAll(() => store.db.ready());
  afterAll(() => store.close());

  const tricky = [
    "plain",
    "",
    '"quoted"',
    'back\\slash \\\\ and \\"',
    "{braces},commas, NULL",
    "NULL",
    " leading and trailing ",
    "line\nbreak\ttab\r",
    "é ü ß 中文 😀 \u{1f3f3}\u{fe0f}\u200d\u{1f308}",
    "lone \ud800 surrogate",
    JSON.stringify({ id: "msg_1", content: 'a "b" \\ c', metadata: { x: [1, "2"] } }),
    "x".repeat(20_000),
  ];
  const bigints = [
    0,
    1,
    -1,
    1_733_600_000_000,
    -1_733_600_000_000,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ];

  it("read as the same text[] and bigint[] values as node-pg's text format", async () => {
    const texts = [tricky, [null, "a", null], [null], [], ["only"]];
    const [t0, t1, t2, t3, t4, b0, b1] = binaryArrays(texts, [bigints, []]);
    const [row] = await store.db.query<Record<string, unknown>>(
      `SELECT $1::text[] IS NOT DISTINCT FROM $8::text[] AS same0,
              $2::text[] IS NOT DISTINCT FROM $9::text[] AS same1,
              $3::text[] IS NOT DISTINCT FROM $10::text[] AS same2,
              coalesce(cardinality($4::text[]), 0) AS len3,
              $5::text[] IS NOT DISTINCT FROM $11::text[] AS same4,
              $6::bigint[]::text AS big, $12::bigint[]::text AS bigtext,
              coalesce(cardinality($7::bigint[]), 0) AS len6,
              $1::text[] AS back0, $2::text[] AS back1`,
      [t0, t1, t2, t3, t4, b0, b1, tricky, [null, "a", null], [null], ["only"], bigints],
    );
    expect(row).toMatchObject({
      same0: true,
      same1: true,
      same2: true,
      len3: 0,
      same4: true,
      big: row?.["bigtext"],
      len6: 0,
    });
    // A lone surrogate goes as U+FFFD, as node-pg's text format sends it.
    expect(row?.["back0"]).toEqual(tricky.map((s) => s.replace("\ud800", "\ufffd")));
    expect(row?.["back1"]).toEqual([null, "a", null]);
    expect(row?.["bigtext"]).toBe(`{${bigints.join(",")}}`);
  });

  it("decode back to the values written (elementsOf)", () => {
    const [t, b] = binaryArrays([["a", null, "é😀"]], [[-5, 2 ** 40]]);
    expect(elementsOf(t as Buffer)).toEqual(["a", null, "é😀"]);
    expect(elementsOf(b as Buffer)).toEqual([-5, 2 ** 40]);
  });

  it("refuse a bigint that is not a safe integer instead of rounding it", () => {
    expect(() => binaryArrays([], [[1.5]])).toThrow(TypeError);
    expect(() => binaryArrays([], [[2 ** 60]])).toThrow(TypeError);
  });
});
