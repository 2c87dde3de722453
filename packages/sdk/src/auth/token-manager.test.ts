import { describe, expect, it } from "vitest";
import { API_KEY, envelope, fakeApi } from "../../test/support/fake-api.js";
import { fakeClock } from "../../test/support/fake-clock.js";
import { createFluxraClient, type FluxraClientOptions } from "../client.js";
import { APIUserAbortError, AuthenticationError } from "../core/error.js";
import type { AuthErrorEvent, TokenRefreshedEvent } from "../core/events.js";

const CID = "cnv_00000000000000000000000000";
const TOKEN = "/api/auth/token";
const REFRESH = "/api/auth/refresh";
const messages = `/api/conversations/${CID}/messages`;

function setup(options: FluxraClientOptions = {}) {
  const api = fakeApi();
  const clock = fakeClock();
  const client = createFluxraClient({
    baseUrl: "https://api.test",
    apiKey: API_KEY,
    fetch: api.fetch,
    clock,
    ...options,
  });
  const send = (content = "hi", opts = {}) => client.messages.send(CID, { content }, opts);
  return { api, clock, client, send };
}

/** Lets queued microtasks (event delivery) run. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("token manager", () => {
  it("exchanges the api key on first use and reuses the token", async () => {
    const { api, send } = setup();
    await send();
    await send();
    expect(api.count(TOKEN)).toBe(1);
    expect(api.seen.filter((s) => s.path === messages).map((s) => s.authorization)).toEqual([
      "Bearer tok1",
      "Bearer tok1",
    ]);
    expect(JSON.parse(api.seen[0]?.body ?? "")).toEqual({ api_key: API_KEY });
  });

  it("performs exactly one exchange for concurrent calls with an expired token", async () => {
    const { api, clock, send } = setup();
    await send();
    clock.advance(901_000);
    api.live.clear();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(`m${i}`)));
    expect(results).toHaveLength(8);
    expect(api.count(TOKEN)).toBe(2);
    expect(api.count(REFRESH)).toBe(0);
    expect(new Set(api.seen.slice(-8).map((s) => s.authorization))).toEqual(
      new Set(["Bearer tok2"]),
    );
  });

  it("refreshes the same session inside the early window, once for all callers", async () => {
    const { api, clock, send } = setup({ refreshWindowMs: 60_000 });
    await send();
    clock.advance(900_000 - 30_000);
    await Promise.all([send(), send(), send()]);
    expect(api.count(REFRESH)).toBe(1);
    expect(api.count(TOKEN)).toBe(1);
    expect(api.seen.find((s) => s.path === REFRESH)?.authorization).toBe("Bearer tok1");
  });

  it("measures expiry on the monotonic clock, not the wall clock", async () => {
    const { api, send } = setup();
    await send();
    const realNow = Date.now;
    Date.now = () => realNow() + 86_400_000;
    try {
      await send();
    } finally {
      Date.now = realNow;
    }
    expect(api.count(TOKEN)).toBe(1);
    expect(api.count(REFRESH)).toBe(0);
  });

  it("on 401 token_expired re-exchanges and retries once, re-sending the same body and key", async () => {
    const { api, send } = setup();
    await send("first");
    api.live.delete("tok1");
    await send("second");
    const attempts = api.seen.filter((s) => s.path === messages).slice(-2);
    expect(attempts.map((s) => s.authorization)).toEqual(["Bearer tok1", "Bearer tok2"]);
    expect(attempts.map((s) => JSON.parse(s.body))).toEqual([
      { content: "second" },
      { content: "second" },
    ]);
    expect(attempts[1]?.idempotencyKey).toBe(attempts[0]?.idempotencyKey);
  });

  it("surfaces a revoked session as AuthenticationError after exactly one retry", async () => {
    const { api, send } = setup();
    api.routes.set(messages, () => envelope(401, "session_revoked"));
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe("session_revoked");
    expect(api.count(messages)).toBe(2);
    expect(api.count(TOKEN)).toBe(2);
  });

  it("does not renew on other 401 codes", async () => {
    const { api, send } = setup();
    api.routes.set(messages, () => envelope(401, "invalid_credentials"));
    await expect(send()).rejects.toBeInstanceOf(AuthenticationError);
    expect(api.count(messages)).toBe(1);
  });

  it("reports a refused api key as AuthenticationError and an authError event", async () => {
    const { client, send } = setup({ apiKey: "fxk_wrongwrongwrongwrongwrongwrongwrong12" });
    const events: AuthErrorEvent[] = [];
    client.on("authError", (e) => events.push(e));
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe("invalid_credentials");
    expect(String(error)).not.toContain("wrongwrong");
    await flush();
    expect(events.map((e) => (e.error as AuthenticationError).code)).toEqual([
      "invalid_credentials",
    ]);
  });

  it("delivers events after the refresh, so listeners that call the client cannot deadlock", async () => {
    const { client, send } = setup();
    const seen: TokenRefreshedEvent[] = [];
    let nested: Promise<unknown> | undefined;
    client.on("tokenRefreshed", (e) => {
      seen.push(e);
      nested = send("from listener");
    });
    client.on("tokenRefreshed", () => {
      throw new Error("a broken listener");
    });
    const done = send();
    expect(seen).toEqual([]);
    await done;
    await flush();
    expect(seen).toEqual([{ reason: "exchange", sessionId: "ses_1", expiresIn: 900 }]);
    await expect(nested).resolves.toBeDefined();
  });

  it("lets the caller's AbortSignal reach the exchange", async () => {
    const { api, send } = setup();
    const release = api.gate(TOKEN);
    const controller = new AbortController();
    const pending = send("x", { signal: controller.signal });
    await flush();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.signals[0]?.aborted).toBe(true);
    release();
  });

  it("keeps a shared exchange going while another caller still waits", async () => {
    const { api, send } = setup();
    const release = api.gate(TOKEN);
    const controller = new AbortController();
    const aborted = send("a", { signal: controller.signal });
    const patient = send("b");
    await flush();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.signals[0]?.aborted).toBe(false);
    release();
    await expect(patient).resolves.toBeDefined();
    expect(api.count(TOKEN)).toBe(1);
  });

  it("never lets a refresh that started before an invalidation overwrite newer state", async () => {
    // A long attempt timeout: moving the clock must not time out the request held at the gate.
    const { api, clock, send } = setup({ timeout: 3_600_000 });
    await send();
    const releaseMessages = api.gate(messages);
    const early = send("sent while tok1 was fresh");
    await flush();
    api.routes.set(messages, (req) =>
      req.authorization === "Bearer tok1"
        ? envelope(401, "session_revoked")
        : new Response(JSON.stringify({ token: req.authorization }), { status: 201 }),
    );
    clock.advance(870_000);
    const releaseRefresh = api.gate(REFRESH);
    const late = send("starts a refresh");
    await flush();
    releaseMessages();
    await expect(early).resolves.toEqual({ token: "Bearer tok2" });
    releaseRefresh();
    await late;
    await expect(send("after")).resolves.toEqual({ token: "Bearer tok2" });
  });
});
