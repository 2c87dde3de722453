import { describe, expect, it } from "vitest";
import { API_KEY, fakeApi } from "../test/support/fake-api.js";
import { fakeClock } from "../test/support/fake-clock.js";
import { createFluxraClient } from "./client.js";
import { APIConnectionTimeoutError, AuthenticationError } from "./core/error.js";

const CID = "cnv_00000000000000000000000000";
const messages = `/api/conversations/${CID}/messages`;

function setup() {
  const api = fakeApi();
  const client = createFluxraClient({
    baseUrl: "https://api.test",
    apiKey: API_KEY,
    fetch: api.fetch,
  });
  return { api, client };
}

/** Lets queued microtasks run. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("credential modes", () => {
  it("uses a fixed access token as-is and never renews it", async () => {
    const api = fakeApi();
    const client = createFluxraClient({
      baseUrl: "https://api.test",
      accessToken: "fixed",
      fetch: api.fetch,
    });
    await expect(client.messages.send(CID, { content: "x" })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    expect(api.seen.map((s) => [s.path, s.authorization])).toEqual([[messages, "Bearer fixed"]]);
  });

  it("asks a credentials provider once for concurrent callers and again after a 401", async () => {
    const api = fakeApi();
    let asked = 0;
    const client = createFluxraClient({
      baseUrl: "https://api.test",
      fetch: api.fetch,
      credentials: async () => {
        const token = `p${++asked}`;
        api.live.add(token);
        return { accessToken: token, expiresIn: 600 };
      },
    });
    const send = () => client.messages.send(CID, { content: "x" });
    await Promise.all([send(), send(), send()]);
    expect(asked).toBe(1);
    api.live.delete("p1");
    await send();
    expect(asked).toBe(2);
  });

  it("times out a credentials provider that never answers", async () => {
    const clock = fakeClock();
    const client = createFluxraClient({
      baseUrl: "https://api.test",
      fetch: fakeApi().fetch,
      clock,
      timeout: 1_000,
      credentials: () => new Promise(() => {}),
    });
    const pending = client.messages.send(CID, { content: "x" });
    await flush();
    clock.advance(1_000);
    await expect(pending).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("sends no credentials to public routes", async () => {
    const { api, client } = setup();
    api.routes.set("/api/auth/register", () => new Response("{}", { status: 201 }));
    await client.auth.register({ handle: "bot" });
    expect(api.seen.map((s) => [s.path, s.authorization])).toEqual([["/api/auth/register", null]]);
  });

  it("tells public routes apart under a base path and with a query string", async () => {
    const api = fakeApi();
    const client = createFluxraClient({
      baseUrl: "https://api.test/v1/",
      accessToken: "fixed",
      fetch: api.fetch,
    });
    api.routes.set("/v1/api/auth/register", () => new Response("{}", { status: 201 }));
    api.routes.set("/v1/health", () => new Response("{}", { status: 200 }));
    api.routes.set("/v1/api/agents/me", () => new Response("{}", { status: 200 }));
    await client.auth.register({ handle: "bot" });
    await client.GET("/health", { params: { query: { probe: "1" } as never } });
    await client.GET("/api/agents/me");
    expect(api.seen.map((s) => [s.path, s.authorization])).toEqual([
      ["/v1/api/auth/register", null],
      ["/v1/health", null],
      ["/v1/api/agents/me", "Bearer fixed"],
    ]);
  });

  it("never exposes the api key through the client object", async () => {
    const { client } = setup();
    const { inspect } = await import("node:util");
    expect(inspect(client, { depth: 6, showHidden: true })).not.toContain(API_KEY);
    expect(JSON.stringify(client)).not.toContain(API_KEY);
  });
});

describe("fetch option", () => {
  it("calls a custom fetch as a plain function (no `this`), like window.fetch needs", async () => {
    const api = fakeApi();
    api.live.add("t");
    const thisValues: unknown[] = [];
    const client = createFluxraClient({
      baseUrl: "https://api.test",
      accessToken: "t",
      fetch: function (this: unknown, request: Request) {
        thisValues.push(this);
        return api.fetch(request);
      },
    });
    await client.messages.send(CID, { content: "x" });
    expect(thisValues).toEqual([undefined]);
  });
});

describe("getAccessToken", () => {
  it("returns the token the client uses, exchanging once for concurrent callers", async () => {
    const { api, client } = setup();
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken()]);
    await client.messages.send(CID, { content: "x" });
    expect(tokens).toEqual(["tok1", "tok1"]);
    expect(api.count("/api/auth/token")).toBe(1);
  });

  it("refuses on a client without credentials", async () => {
    const client = createFluxraClient({ baseUrl: "https://api.test", fetch: fakeApi().fetch });
    await expect(client.getAccessToken()).rejects.toThrow("no credentials");
  });
});
