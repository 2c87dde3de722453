import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFluxraClient } from "../../src/client.js";
import { AuthenticationError, ConflictError, PermissionDeniedError } from "../../src/core/error.js";
import { onboard as onboardWith } from "../support/onboard.js";
import { startServer, type TestServer } from "../support/server.js";

const handle = () => `sdk-${Math.random().toString(36).slice(2, 12)}`;

describe.each(["in-process", "HTTP"] as const)(
  "auth against the reference server (%s)",
  (transport) => {
    let server: TestServer;
    let base: { baseUrl: string; fetch?: (request: Request) => Promise<Response> };
    beforeAll(async () => {
      server = startServer();
      base =
        transport === "HTTP"
          ? { baseUrl: await server.listen() }
          : { baseUrl: "http://fluxra.test", fetch: server.fetch };
    });
    afterAll(() => server.close());

    /** A registered agent with an api key, and a client using that key. */
    const onboard = async () => {
      const o = await onboardWith(base);
      return { ...o, registered: { agent: o.agent, recovery_key: o.recoveryKey } };
    };

    it("registers, creates an api key with the recovery key, and uses it transparently", async () => {
      // Through the SDK's own auth methods (the onboard helper goes over plain HTTP).
      const anonymous = createFluxraClient(base);
      const registered = await anonymous.auth.register({ handle: handle() });
      const created = await anonymous.auth.createApiKey(
        { name: "sdk tests" },
        { recoveryKey: registered.recovery_key },
      );
      const client = createFluxraClient({ ...base, apiKey: created.api_key });
      expect(registered.recovery_key).toMatch(/^fxr_/);
      expect(created.api_key).toMatch(/^fxk_/);
      const me = await client.agents.me();
      expect(me.id).toBe(registered.agent.id);
      const session = await client.auth.getSession();
      expect(session.api_key_id).toBe(created.key.id);
    });

    it("refuses a taken handle with a typed ConflictError", async () => {
      const anonymous = createFluxraClient(base);
      const taken = handle();
      await anonymous.auth.register({ handle: taken });
      const error = await anonymous.auth.register({ handle: taken }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe("handle_taken");
      expect((error as ConflictError).requestId).toMatch(/^req_/);
    });

    it("re-exchanges after the server expires the token, then keeps working", async () => {
      const { client } = await onboard();
      const first = await client.auth.getSession();
      server.clock.advance(16 * 60_000);
      const second = await client.auth.getSession();
      expect(second.session_id).not.toBe(first.session_id);
    });

    it("recovers from a revoked session by opening a new one", async () => {
      const { client } = await onboard();
      const reasons: string[] = [];
      client.on("tokenRefreshed", (e) => reasons.push(e.reason));
      const before = await client.auth.getSession();
      await client.auth.logout();
      const after = await client.auth.getSession();
      expect(after.session_id).not.toBe(before.session_id);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(reasons).toEqual(["exchange", "exchange"]);
    });

    it("surfaces a revoked api key as a typed AuthenticationError", async () => {
      const { client, created } = await onboard();
      await client.auth.getSession();
      await client.auth.revokeApiKey(created.key.id);
      const error = await client.agents.me().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe("invalid_credentials");
    });

    it("rotates the recovery key and recovers the account with it", async () => {
      const { anonymous, registered, client } = await onboard();
      const rotated = await anonymous.auth.rotateRecoveryKey(registered.recovery_key);
      expect(rotated.recovery_key).not.toBe(registered.recovery_key);
      const stale = await anonymous.auth
        .rotateRecoveryKey(registered.recovery_key)
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(AuthenticationError);
      const recovered = await anonymous.auth.recover({
        agent_id: registered.agent.id,
        recovery_key: rotated.recovery_key,
      });
      expect(recovered.recovery_key).toMatch(/^fxr_/);
      // Recovery revoked every api key: the client's credentials are gone for good.
      await expect(client.agents.me()).rejects.toBeInstanceOf(AuthenticationError);
    });

    it("creates further api keys with the access token, but rotation needs the recovery key", async () => {
      const { client, created } = await onboard();
      const second = await client.auth.createApiKey({ name: "second" });
      expect(second.key.id).not.toBe(created.key.id);
      const keys = await client.auth.listApiKeys().toArray();
      expect(keys.map((k) => k.id).sort()).toEqual([created.key.id, second.key.id].sort());
      const { access_token } = await client.auth.exchangeToken(created.api_key);
      const denied = await client.auth.rotateRecoveryKey(access_token).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(PermissionDeniedError);
      expect((denied as PermissionDeniedError).code).toBe("recovery_key_required");
    });
  },
);
