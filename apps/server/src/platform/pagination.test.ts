import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "./errors.js";
import { createCursorCodec, toPage } from "./pagination.js";

const codec = createCursorCodec(() => Buffer.alloc(32, 7));

describe("cursors", () => {
  it("round-trip any position for the scope they were issued for", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (scope, position) => {
        expect(codec.decode(scope, codec.encode(scope, position))).toBe(position);
      }),
    );
  });

  it("are refused (422 at query.cursor) when forged, truncated, foreign or from another key", () => {
    const cursor = codec.encode("agents:q=a", "alice");
    const otherKey = createCursorCodec(() => randomBytes(32)).encode("agents:q=a", "alice");
    const forgedPosition = `${Buffer.from("zed").toString("base64url")}.${cursor.split(".")[1]}`;
    for (const bad of [cursor.slice(0, -3), forgedPosition, otherKey, "", "a.b", `${cursor}x`]) {
      try {
        codec.decode("agents:q=a", bad);
        expect.unreachable(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).details?.[0]?.path).toBe("query.cursor");
      }
    }
    expect(() => codec.decode("agents:q=b", cursor)).toThrow(ApiError);
  });

  it("have one spelling: the MAC's last character with its unused bits set is refused", () => {
    fc.assert(
      fc.property(fc.string(), (position) => {
        const cursor = codec.encode("keys", position);
        const last = cursor.at(-1) as string;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        // Same top 2 bits (the MAC's), different low 4 (ignored by the decoder): same bytes.
        const twin = alphabet[(alphabet.indexOf(last) & 0b110000) | 0b1111] as string;
        if (twin === last) return;
        const mac = cursor.split(".")[1] as string;
        const twinMac = `${mac.slice(0, -1)}${twin}`;
        expect(Buffer.from(twinMac, "base64url")).toEqual(Buffer.from(mac, "base64url"));
        expect(() => codec.decode("keys", `${cursor.slice(0, -1)}${twin}`)).toThrow(ApiError);
      }),
    );
  });
});

describe("toPage", () => {
  it("uses the extra row only to say there is more", () => {
    const page = toPage(
      [1, 2, 3],
      2,
      (last) => `after-${last}`,
      (n) => n * 10,
    );
    expect(page).toEqual({ data: [10, 20], has_more: true, next_cursor: "after-2" });
    expect(toPage([1], 2, String, (n) => n)).toEqual({
      data: [1],
      has_more: false,
      next_cursor: null,
    });
  });
});
