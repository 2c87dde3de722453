import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, send } from "../domains/chat/chat-fixtures.js";
import {
  checkedResponse,
  createTestApp,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../testing/index.js";

// Threats 14, 15, 17 and 18 of security.md: oversized bodies, paging abuse, field caps, SSRF.

let t: TestApp;
let a: TestAgent;
let b: TestAgent;
let group: { id: string };
let message: { id: string };
beforeAll(async () => {
  t = createTestApp();
  [a, b] = [await registerAgent(t), await registerAgent(t)];
  group = await createGroup(t, a, [b]);
  message = await send(t, a, group.id, "first");
  await send(t, a, group.id, "second");
});
afterAll(async () => t.close());

/** A POST of `size` bytes over real HTTP, declared or chunked (no Content-Length). */
function bigPost(baseUrl: string, path: string, token: string, size: number, chunked: boolean) {
  return new Promise<Response>((resolve, reject) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(size) }),
    };
    const req = httpRequest(`${baseUrl}${path}`, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") out.set(k, v);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: out }));
      });
    });
    // The server may answer and close before the whole body is written; that is the point.
    req.on("error", (err) =>
      (err as { code?: string }).code === "EPIPE" ? undefined : reject(err),
    );
    const piece = Buffer.alloc(16 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = piece.subarray(0, Math.min(piece.length, size - sent));
        sent += part.length;
        if (!req.write(part)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe("body size (security.md 14)", () => {
  it("answers 413 to a 2 MB body, declared or chunked, on several routes over real HTTP", async () => {
    const http = await t.listen();
    const routes = [
      "/api/auth/register",
      "/api/auth/api-keys",
      `/api/conversations/${group.id}/messages`,
      "/api/conversations",
    ];
    for (const path of routes) {
      for (const chunked of [false, true]) {
        const raw = await bigPost(
          http.baseUrl,
          path,
          a.accessToken,
          2 * 1024 * 1024,
          chunked,
        ).catch((e) => {
          throw new Error(`${path} chunked=${chunked}: ${e}`);
        });
        const res = await checkedResponse("POST", path, raw);
        expect(res.status, `${path} chunked=${chunked}`).toBe(413);
        expect(res.body.error.code).toBe("payload_too_large");
      }
    }
    // The server is still fine afterwards.
    expect((await http.fetch("/api/agents/me", { token: a.accessToken })).status).toBe(200);
  });
});

describe("paging abuse (security.md 15)", () => {
  const lists = () => [
    "/api/auth/api-keys",
    "/api/auth/sessions",
    "/api/agents",
    "/api/conversations",
    `/api/conversations/${group.id}/members`,
    `/api/conversations/${group.id}/messages`,
    "/api/blocks",
  ];

  it("refuses limit outside 1–100 or not an integer with 422 at query.limit", async () => {
    let cases = 0;
    for (const path of lists()) {
      for (const limit of ["100000", "101", "0", "-1", "1.5", "abc", "1e3", "", "0x10"]) {
        const res = await t.request(`${path}?limit=${limit}`, { token: a.accessToken });
        expect(res.status, `${path}?limit=${limit}`).toBe(422);
        expect(res.body.error.details[0].path).toBe("query.limit");
        cases += 1;
      }
    }
    expect(cases).toBe(63);
  });

  it("refuses forged, truncated, altered and foreign cursors with 422 at query.cursor", async () => {
    const page = await t.request(`/api/conversations/${group.id}/messages?limit=1`, {
      token: a.accessToken,
    });
    const real: string = page.body.next_cursor;
    expect(real).toBeTruthy();
    const flip = (s: string, i: number) =>
      `${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
    const bad = [
      "forged",
      Buffer.from('{"pos":"0","scope":"x"}').toString("base64url"),
      real.slice(0, -1),
      real.slice(0, Math.floor(real.length / 2)),
      flip(real, 3),
      flip(real, real.length - 2),
      `${real}x`,
      "x".repeat(513),
    ];
    for (const cursor of bad) {
      const res = await t.request(
        `/api/conversations/${group.id}/messages?limit=1&cursor=${encodeURIComponent(cursor)}`,
        { token: a.accessToken },
      );
      expect(res.status, cursor).toBe(422);
      expect(res.body.error.details[0].path).toBe("query.cursor");
    }
    // A real cursor used on another list, or with other filters, is foreign.
    for (const path of [
      "/api/conversations",
      "/api/agents",
      `/api/conversations/${group.id}/members`,
    ]) {
      const res = await t.request(`${path}?cursor=${encodeURIComponent(real)}`, {
        token: a.accessToken,
      });
      expect(res.status, path).toBe(422);
    }
    const filtered = await t.request(
      `/api/conversations/${group.id}/messages?cursor=${encodeURIComponent(real)}&after=${message.id}`,
      { token: a.accessToken },
    );
    expect(filtered.status).toBe(422);
    // The genuine cursor still works.
    const next = await t.request(
      `/api/conversations/${group.id}/messages?limit=1&cursor=${encodeURIComponent(real)}`,
      { token: a.accessToken },
    );
    expect(next.status).toBe(200);
  });
});

describe("field caps (security.md 17)", () => {
  it("refuses oversized content, metadata, member lists and profile fields with 422", async () => {
    const messages = `/api/conversations/${group.id}/messages`;
    const bigMeta = { blob: "x".repeat(4100) };
    const manyProps = Object.fromEntries(Array.from({ length: 820 }, (_, i) => [`k${i}`, 0]));
    const ids = (n: number) =>
      Array.from({ length: n }, (_, i) => `agt_${String(i).padStart(26, "0")}`);
    const cases: [string, string, string, unknown, string][] = [
      ["content 8,001", "POST", messages, { content: "x".repeat(8001) }, "body.content"],
      ["content empty", "POST", messages, { content: "" }, "body.content"],
      ["8,001 code points", "POST", messages, { content: "😀".repeat(8001) }, "body.content"],
      ["metadata > 4 KiB", "POST", messages, { content: "x", metadata: bigMeta }, "body.metadata"],
      [
        "metadata 820 keys",
        "POST",
        messages,
        { content: "x", metadata: manyProps },
        "body.metadata",
      ],
      [
        "edit content 8,001",
        "PATCH",
        `${messages}/${message.id}`,
        { content: "x".repeat(8001) },
        "body.content",
      ],
      [
        "member_ids 100",
        "POST",
        "/api/conversations",
        { type: "group", title: "t", member_ids: ids(100) },
        "body.member_ids",
      ],
      [
        "title 101",
        "POST",
        "/api/conversations",
        { type: "group", title: "t".repeat(101) },
        "body.title",
      ],
      ["tags 21", "PATCH", "/api/agents/me", { tags: ids(21).map((_, i) => `t${i}`) }, "body.tags"],
      [
        "description 1,001",
        "PATCH",
        "/api/agents/me",
        { description: "d".repeat(1001) },
        "body.description",
      ],
      [
        "display_name 65",
        "PATCH",
        "/api/agents/me",
        { display_name: "n".repeat(65) },
        "body.display_name",
      ],
      ["agent metadata > 4 KiB", "PATCH", "/api/agents/me", { metadata: bigMeta }, "body.metadata"],
      ["api key name 65", "POST", "/api/auth/api-keys", { name: "n".repeat(65) }, "body.name"],
    ];
    const before = await t.request(`${messages}?limit=100`, { token: a.accessToken });
    for (const [name, method, path, json, at] of cases) {
      const res = await t.request(path, { method, json, token: a.accessToken });
      expect(res.status, name).toBe(422);
      expect(res.body.error.details.map((d: { path: string }) => d.path).join(","), name).toContain(
        at,
      );
    }
    const after = await t.request(`${messages}?limit=100`, { token: a.accessToken });
    expect(after.body).toEqual(before.body);
    // The limits are inclusive: 8,000 code points (32,000 bytes of emoji) are fine.
    const max = await t.request(messages, {
      method: "POST",
      token: a.accessToken,
      json: { content: "😀".repeat(8000) },
    });
    expect(max.status).toBe(201);
  });
});

describe("SSRF (security.md 18)", () => {
  it("refuses avatar URLs that are not https or point at local or literal addresses", async () => {
    const bad = [
      "http://169.254.169.254/latest/meta-data/",
      "https://169.254.169.254/latest/meta-data/",
      "file:///etc/passwd",
      "https://localhost/a.png",
      "https://LOCALHOST/a.png",
      "https://localhost./a.png",
      "https://api.localhost/a.png",
      "https://127.0.0.1/a.png",
      "https://127.1/a.png",
      "https://2130706433/a.png",
      "https://0x7f000001/a.png",
      "https://0177.0.0.1/a.png",
      "https://[::1]/a.png",
      "https://[::ffff:127.0.0.1]/a.png",
      "https://user@example.com/a.png",
      "gopher://example.com/",
      "javascript:alert(1)",
      "//example.com/a.png",
    ];
    for (const avatar_url of bad) {
      const res = await t.request("/api/agents/me", {
        method: "PATCH",
        token: a.accessToken,
        json: { avatar_url },
      });
      expect(res.status, avatar_url).toBe(422);
    }
    const me = await t.request("/api/agents/me", { token: a.accessToken });
    expect(me.body.avatar_url).toBeNull();
    const good = await t.request("/api/agents/me", {
      method: "PATCH",
      token: a.accessToken,
      json: { avatar_url: "https://cdn.example.com/a.png" },
    });
    expect(good.status).toBe(200);
  });
});
