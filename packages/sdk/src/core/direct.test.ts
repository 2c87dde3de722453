import { describe, expect, it } from "vitest";
import { API_KEY, envelope } from "../../test/support/fake-api.js";
import { fakeClock } from "../../test/support/fake-clock.js";
import { createFluxraClient, type FluxraClient } from "../client.js";
import { NotFoundError, RateLimitError } from "./error.js";

const CID = "cnv_00000000000000000000000000";
const MID = "msg_0000000000000000000000000a";

/** What reached the server, idempotency keys replaced by whether one was sent. */
interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A client whose `fetch` records every request and answers from `answer`. With `middleware` a
 * no-op middleware is registered, so the helpers go through openapi-fetch (the path the direct
 * one must match exactly).
 */
function recorded(middleware: boolean, answer: (req: Request) => Response) {
  const wire: Wire[] = [];
  const client = createFluxraClient({
    baseUrl: "https://api.test/base/",
    apiKey: API_KEY,
    headers: { "X-App": "demo", "User-Agent": "fluxra-test" },
    clock: fakeClock(),
    maxRetries: 1,
    fetch: async (req) => {
      const headers: Record<string, string> = {};
      req.headers.forEach((value, name) => {
        headers[name] = name === "idempotency-key" ? "(set)" : value;
      });
      wire.push({ method: req.method, url: req.url, headers, body: await req.text() });
      if (new URL(req.url).pathname === "/base/api/auth/token") {
        return Response.json({ access_token: "tok", token_type: "Bearer", expires_in: 900 });
      }
      return answer(req);
    },
  });
  if (middleware) client.use({ onRequest: () => undefined });
  return { client, wire };
}

const ok = () =>
  Response.json(
    { data: [{ id: MID }], has_more: false, next_cursor: null, id: MID },
    { headers: { "x-request-id": "req_1" } },
  );

/** A spread of helper calls: bodies, path and query parameters, extra headers, a recovery key. */
async function exercise(client: FluxraClient): Promise<unknown[]> {
  return [
    await client.messages.send(CID, { content: "héllo / ?&=" }),
    await client.messages.list(CID, { limit: 5, after: MID }).firstPage(),
    await client.conversations.list({ limit: 2 }).firstPage(),
    await client.messages.get(CID, "a b/c?d", { headers: { "X-Trace": "t1" } }),
    await client.messages.send(CID, { content: "x" }, { idempotencyKey: "mine" }),
    await client.auth.createApiKey({ name: "k" }, { recoveryKey: "fxr_secret" }),
    await client.conversations.leave(CID),
    await client.messages.delete(CID, MID),
  ];
}

describe("helpers without middleware (direct path)", () => {
  it("send what openapi-fetch sends and return what it returns", async () => {
    const direct = recorded(false, ok);
    const viaRaw = recorded(true, ok);
    const a = await exercise(direct.client);
    const b = await exercise(viaRaw.client);
    expect(a).toEqual(b);
    expect(direct.wire).toEqual(viaRaw.wire);
    // Spot checks of what both sent (wire[0] is the api key exchange).
    expect(direct.wire[2]?.url).toBe(
      `https://api.test/base/api/conversations/${CID}/messages?limit=5&after=${MID}`,
    );
    expect(direct.wire[4]?.url).toContain("/messages/a%20b%2Fc%3Fd");
    expect(direct.wire[4]?.headers["idempotency-key"]).toBeUndefined();
    expect(direct.wire[4]?.headers).toMatchObject({ "x-trace": "t1", "x-app": "demo" });
    expect(direct.wire[7]?.headers["idempotency-key"]).toBe("(set)");
    expect(direct.wire[7]?.headers["content-type"]).toBe("application/json");
    expect(direct.wire[6]?.headers["authorization"]).toBe("Bearer fxr_secret");
  });

  it("raise the same typed errors, retries included", async () => {
    const failing = (req: Request) =>
      new URL(req.url).pathname.endsWith(MID)
        ? envelope(404, "not_found")
        : envelope(429, "rate_limited", { retry_after_ms: 120_000 }, { "retry-after": "120" });
    for (const middleware of [false, true]) {
      const { client, wire } = recorded(middleware, failing);
      const notFound = await client.messages.get(CID, MID).catch((e: unknown) => e);
      expect(notFound).toBeInstanceOf(NotFoundError);
      expect((notFound as NotFoundError).code).toBe("not_found");
      const limited = await client.messages.send(CID, { content: "x" }).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(RateLimitError);
      expect((limited as RateLimitError).retryAfterMs).toBe(120_000);
      expect(wire.map((w) => w.method)).toEqual(["POST", "GET", "POST"]);
    }
  });

  it("fall back to openapi-fetch once middleware is registered, so it sees the helpers' calls", async () => {
    const { client } = recorded(false, ok);
    const seen: string[] = [];
    await client.messages.get(CID, MID);
    client.use({
      onRequest({ request }) {
        seen.push(`${request.method} ${new URL(request.url).pathname}`);
      },
    });
    await client.messages.get(CID, MID);
    expect(seen).toEqual([`GET /base/api/conversations/${CID}/messages/${MID}`]);
  });

  it("parse empty and non-JSON answers as openapi-fetch does", async () => {
    const answers = [
      () => new Response(null, { status: 204 }),
      () => new Response("", { status: 200, headers: { "content-length": "0" } }),
      () => new Response("plain failure", { status: 500 }),
    ];
    for (const middleware of [false, true]) {
      let i = 0;
      const { client } = recorded(middleware, () => (answers[i++] as () => Response)());
      await expect(client.messages.delete(CID, MID)).resolves.toBeUndefined();
      await expect(client.messages.get(CID, MID)).resolves.toBeUndefined();
      const error = await client.messages.get(CID, MID).catch((e: unknown) => e);
      expect((error as { status?: number }).status).toBe(500);
    }
  });
});

describe("the helpers' promise chain", () => {
  const page = { data: [{ id: CID }], has_more: false, next_cursor: null };

  /**
   * Turns of the microtask queue from the moment `fetch` is called until `call` settles: what
   * stands between a response and the caller besides the body read, which costs the same
   * either way.
   */
  async function turns(call: (fetch: (req?: Request) => Promise<Response>) => Promise<unknown>) {
    let count = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      count++;
      queueMicrotask(tick);
    };
    await call(async () => {
      queueMicrotask(tick);
      return Response.json(page);
    });
    counting = false;
    return count;
  }

  it("add at most one turn to fetch(…).then((r) => r.json())", async () => {
    const bare = await turns((fetch) => fetch().then((r) => r.json()));
    const client = (fetch: (req: Request) => Promise<Response>) =>
      createFluxraClient({ baseUrl: "https://api.test", accessToken: "tok", fetch });
    const first = await turns((fetch) => client(fetch).conversations.list().firstPage());
    const pages = await turns((fetch) => client(fetch).conversations.list().pages().next());
    const get = await turns((fetch) => client(fetch).messages.get(CID, MID));
    // Before the transport read the body itself and unwrap claimed the data, these were 3-5
    // turns more (a `.then(parse)`, an async parse, an async unwrap, `await` + `yield`).
    expect(first).toBeLessThanOrEqual(bare + 1);
    expect(pages).toBeLessThanOrEqual(bare + 1);
    expect(get).toBeLessThanOrEqual(bare + 1);
  });

  it("leave raw calls their { data, error, response }, whatever helper calls run in between", async () => {
    const { client } = recorded(false, () => Response.json(page));
    const pending = client.GET("/api/conversations");
    await expect(client.conversations.list().firstPage()).resolves.toEqual(page);
    const after = client.GET("/api/conversations");
    await client.messages.get(CID, MID);
    for (const result of [await pending, await after]) {
      expect(result.data).toEqual(page);
      expect(result.response.status).toBe(200);
    }
  });
});
