import { describe, expect, it } from "vitest";
import { envelope, fakeApi } from "../../test/support/fake-api.js";
import { fakeClock } from "../../test/support/fake-clock.js";
import { createFluxraClient } from "../client.js";
import { APIConnectionTimeoutError, APIUserAbortError, ServiceUnavailableError } from "./error.js";

const CID = "cnv_00000000000000000000000000";

function setup(options: Parameters<typeof createFluxraClient>[0] = {}, clock = fakeClock()) {
  const api = fakeApi();
  api.live.add("static");
  const client = createFluxraClient({
    baseUrl: "https://api.test",
    accessToken: "static",
    fetch: api.fetch,
    clock,
    ...options,
  });
  return { api, clock, client };
}

const messagesPath = `/api/conversations/${CID}/messages`;

describe("timeouts, deadlines and aborts", () => {
  it("times out an attempt after `timeout` and retries it", async () => {
    const clock = fakeClock();
    let calls = 0;
    const c = createFluxraClient({
      baseUrl: "https://api.test",
      accessToken: "static",
      clock,
      timeout: 5_000,
      maxRetries: 1,
      fetch: (req) => {
        calls++;
        queueMicrotask(() => clock.advance(5_000));
        return new Promise((_, reject) =>
          req.signal.addEventListener("abort", () => reject(req.signal.reason)),
        );
      },
    });
    await expect(c.messages.send(CID, { content: "x" })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    expect(calls).toBe(2);
    expect(clock.pending).toBe(0);
  });

  it("stops retrying when the next wait would pass the deadline", async () => {
    const { api, clock, client } = setup({ deadline: 2_500 });
    api.routes.set(messagesPath, () =>
      envelope(503, "service_unavailable", {}, { "retry-after": "1" }),
    );
    await expect(
      client.messages.send(CID, { content: "x" }, { maxRetries: 10 }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(clock.pending).toBe(0);
  });

  it("applies the deadline to a call waiting for its token", async () => {
    const api = fakeApi();
    api.gate("/api/auth/token");
    const clock = fakeClock();
    const client = createFluxraClient({
      baseUrl: "https://api.test",
      apiKey: "fxk_0123456789abcdefghijklmnopqrstuvwxyzAB",
      fetch: api.fetch,
      clock,
      deadline: 3_000,
    });
    const pending = client.messages.send(CID, { content: "x" });
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(3_000);
    await expect(pending).rejects.toThrow(/deadline/);
    await expect(pending).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("turns the caller's abort into APIUserAbortError, even during a backoff", async () => {
    const { api, client } = setup();
    const controller = new AbortController();
    api.routes.set(messagesPath, () => {
      controller.abort();
      return envelope(503, "service_unavailable");
    });
    await expect(
      client.messages.send(CID, { content: "x" }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.count(messagesPath)).toBe(1);
  });
});

describe("per-call options", () => {
  it("treats an option set to undefined as not set", async () => {
    const { api, client } = setup({ timeout: undefined, maxRetries: undefined });
    api.routes.set(messagesPath, (_r, n) =>
      n < 3 ? envelope(503, "service_unavailable") : new Response("{}", { status: 201 }),
    );
    await expect(
      client.messages.send(CID, { content: "x" }, { timeout: undefined, maxRetries: undefined }),
    ).resolves.toEqual({});
    expect(api.count(messagesPath)).toBe(3);
  });
});
