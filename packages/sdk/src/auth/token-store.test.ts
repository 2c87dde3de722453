import { describe, expect, it } from "vitest";
import { API_KEY, fakeApi } from "../../test/support/fake-api.js";
import { fakeClock } from "../../test/support/fake-clock.js";
import { createFluxraClient } from "../client.js";
import { createMemoryTokenStore, type TokenStore } from "./token-store.js";

const CID = "cnv_00000000000000000000000000";
const TOKEN = "/api/auth/token";

function clientWith(store: TokenStore, api = fakeApi()) {
  const client = createFluxraClient({
    baseUrl: "https://api.test",
    apiKey: API_KEY,
    fetch: api.fetch,
    clock: fakeClock(),
    tokenStore: store,
  });
  return { api, send: () => client.messages.send(CID, { content: "x" }) };
}

describe("token store", () => {
  it("shares a token between clients (processes) through the store", async () => {
    const store = createMemoryTokenStore();
    const first = clientWith(store);
    await first.send();
    const second = clientWith(store, first.api);
    await second.send();
    expect(first.api.count(TOKEN)).toBe(1);
    const stored = await store.get(`fluxra:${API_KEY.slice(0, 12)}`);
    expect(stored).toMatchObject({ accessToken: "tok1", sessionId: "ses_1" });
  });

  it("keys the store by the api key's public prefix, never the secret", async () => {
    const keys: string[] = [];
    const inner = createMemoryTokenStore();
    const store: TokenStore = {
      get: (k) => {
        keys.push(k);
        return inner.get(k);
      },
      set: (k, v) => {
        keys.push(k);
        return inner.set(k, v);
      },
      delete: (k) => inner.delete(k),
    };
    await clientWith(store).send();
    expect(keys.every((k) => !k.includes(API_KEY))).toBe(true);
  });

  it("does not adopt a stored token the server rejected, and replaces it", async () => {
    const store = createMemoryTokenStore();
    const { api, send } = clientWith(store);
    await send();
    api.live.delete("tok1");
    await send();
    expect(api.count(TOKEN)).toBe(2);
    expect((await store.get(`fluxra:${API_KEY.slice(0, 12)}`))?.accessToken).toBe("tok2");
  });

  it("ignores a stored token that is about to expire", async () => {
    const store = createMemoryTokenStore();
    const key = `fluxra:${API_KEY.slice(0, 12)}`;
    await store.set(key, {
      accessToken: "old",
      expiresAt: new Date(Date.now() + 5_000).toISOString(),
    });
    const { api, send } = clientWith(store);
    await send();
    expect(api.count(TOKEN)).toBe(1);
  });

  it("falls back to the api key when the store hangs or fails to read", async () => {
    const clock = fakeClock();
    const api = fakeApi();
    const hung: TokenStore = {
      get: () => new Promise(() => {}),
      set: async () => {},
      delete: async () => {},
    };
    const client = createFluxraClient({
      baseUrl: "https://api.test",
      apiKey: API_KEY,
      fetch: api.fetch,
      clock,
      timeout: 2_000,
      tokenStore: hung,
    });
    const pending = client.messages.send(CID, { content: "x" });
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(2_000);
    await expect(pending).resolves.toBeDefined();
    const broken: TokenStore = { ...hung, get: async () => Promise.reject(new Error("down")) };
    await expect(clientWith(broken, api).send()).resolves.toBeDefined();
  });

  it("keeps working when the store fails to save", async () => {
    const store: TokenStore = {
      get: async () => undefined,
      set: async () => {
        throw new Error("disk full");
      },
      delete: async () => {},
    };
    const { send } = clientWith(store);
    await expect(send()).resolves.toBeDefined();
  });
});
