import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../testing/index.js";

// Malformed HTTP framing over raw sockets (request smuggling shapes, lying Content-Length,
// broken chunking, abandoned bodies): whatever the answer, it is never a 5xx, and the server
// keeps serving the next request.

let t: TestApp;
let http: Awaited<ReturnType<TestApp["listen"]>>;
let a: TestAgent;
/** Internal errors are reported with console.error (the app's default reporter). */
const reported = vi.spyOn(console, "error");
beforeAll(async () => {
  t = createTestApp();
  http = await t.listen();
  a = await registerAgent(t);
});
afterAll(async () => {
  reported.mockRestore();
  await t.close();
});

/** Writes `raw` on a fresh connection (optionally ending it) and collects what comes back. */
function exchange(raw: string, end = true): Promise<string> {
  const { port } = new URL(http.baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString();
    });
    socket.on("error", () => resolve(data));
    socket.on("close", () => resolve(data));
    socket.write(raw);
    if (end) socket.end();
    // A server that waits for more body gets the connection closed by us after a moment.
    else setTimeout(() => socket.destroy(), 300);
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

describe("HTTP framing abuse", () => {
  const body = '{"name":"x"}';
  const head = (extra: string) =>
    `POST /api/auth/api-keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.accessToken}\r\nContent-Type: application/json\r\n${extra}`;
  const cases: [string, () => string, boolean][] = [
    [
      "Content-Length and Transfer-Encoding",
      () =>
        `${head(`Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n`)}c\r\n${body}\r\n0\r\n\r\n`,
      true,
    ],
    [
      "two different Content-Lengths",
      () => `${head(`Content-Length: 12\r\nContent-Length: 5\r\n\r\n`)}${body}`,
      true,
    ],
    ["Content-Length with a sign", () => `${head(`Content-Length: +12\r\n\r\n`)}${body}`, true],
    ["Content-Length not a number", () => `${head(`Content-Length: abc\r\n\r\n`)}${body}`, true],
    [
      "broken chunk size",
      () => `${head(`Transfer-Encoding: chunked\r\n\r\n`)}zz\r\n${body}\r\n0\r\n\r\n`,
      true,
    ],
    [
      "Transfer-Encoding not chunked",
      () => `${head(`Transfer-Encoding: gzip\r\n\r\n`)}${body}`,
      true,
    ],
    [
      "body shorter than Content-Length, then silence",
      () => `${head(`Content-Length: 500\r\n\r\n`)}${body}`,
      false,
    ],
    [
      "chunked body never finished",
      () => `${head(`Transfer-Encoding: chunked\r\n\r\n`)}5\r\n{"nam`,
      false,
    ],
    [
      "Content-Length over the limit, tiny body",
      () => `${head(`Content-Length: 9999999\r\n\r\n`)}${body}`,
      false,
    ],
    [
      "NUL in a header",
      () => `${head(`X-Request-Id: a\u0000b\r\nContent-Length: 12\r\n\r\n`)}${body}`,
      true,
    ],
    [
      "obsolete line folding",
      () => `${head(`X-Request-Id: a\r\n b\r\nContent-Length: 12\r\n\r\n`)}${body}`,
      true,
    ],
    [
      "pipelined second request smuggled in the body",
      () =>
        `${head(`Content-Length: 12\r\n\r\n`)}${body}GET /api/agents/me HTTP/1.1\r\nHost: x\r\n\r\n`,
      true,
    ],
  ];

  it.each(cases)("%s: no 5xx, and the server keeps serving", async (_, raw, end) => {
    const before = await http.fetch("/api/auth/api-keys?limit=100", { token: a.accessToken });
    const response = await exchange(raw(), end);
    const status = statusOf(response);
    if (status !== 0) expect(status).toBeLessThan(500);
    const after = await http.fetch("/api/auth/api-keys?limit=100", { token: a.accessToken });
    expect(after.status).toBe(200);
    // At most the one key the request itself may legitimately have created.
    expect(after.body.data.length - before.body.data.length).toBeLessThanOrEqual(1);
  });

  it("answers 400 to two Host headers (RFC 9112 §3.2), same or different, and changes nothing", async () => {
    const before = await http.fetch("/api/auth/api-keys?limit=100", { token: a.accessToken });
    for (const hosts of ["Host: x\r\nHost: y\r\n", "Host: x\r\nhost: x\r\n"]) {
      const post = `POST /api/auth/api-keys HTTP/1.1\r\n${hosts}Authorization: Bearer ${a.accessToken}\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n${body}`;
      const get = `GET /api/agents/me HTTP/1.1\r\n${hosts}Authorization: Bearer ${a.accessToken}\r\n\r\n`;
      for (const raw of [post, get]) {
        const response = await exchange(raw);
        expect(statusOf(response), response).toBe(400);
        expect(response.toLowerCase()).toContain("connection: close");
      }
    }
    const after = await http.fetch("/api/auth/api-keys?limit=100", { token: a.accessToken });
    expect(after.body.data.length).toBe(before.body.data.length);
    // One Host header is fine, on the same route that refused two.
    expect((await http.fetch("/api/agents/me", { token: a.accessToken })).status).toBe(200);
  });

  it("reported none of it as an internal error (a client's broken request is not a server fault)", async () => {
    expect((await http.fetch("/health")).status).toBe(200);
    expect(reported.mock.calls.map((call) => String(call[0]))).toEqual([]);
  });
});
