import type { Context } from "hono";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../clock.js";
import { resolveConfig } from "../config.js";
import type { AppEnv, Caller } from "../env.js";
import type { PlatformStore } from "../store.js";
import { createKeyRing } from "./keyring.js";
import { type AuthDeps, createAuthenticator } from "./middleware.js";
import { createTokenService } from "./tokens.js";

/** A platform store holding only server secrets. */
function secretsStore(): PlatformStore {
  const secrets = new Map<string, string>();
  return {
    getOrCreateSecret: async (name: string, candidate: string) => {
      if (!secrets.has(name)) secrets.set(name, candidate);
      return secrets.get(name) as string;
    },
  } as unknown as PlatformStore;
}

/** The part of a request context the authenticator uses. */
function contextWith(authorization: string | undefined) {
  const vars = new Map<string, unknown>();
  const c = {
    req: { header: (name: string) => (name === "authorization" ? authorization : undefined) },
    set: (key: string, value: unknown) => vars.set(key, value),
    get: (key: string) => vars.get(key),
  };
  return { c: c as unknown as Context<AppEnv>, caller: () => vars.get("caller") as Caller };
}

async function setUp() {
  const clock = createManualClock();
  const config = resolveConfig();
  const tokens = createTokenService(
    createKeyRing(secretsStore(), () => clock.now()),
    clock,
    config,
  );
  let sessionReads = 0;
  const deps: AuthDeps = {
    tokens,
    clock,
    store: {
      auth: {
        getSession: async () => {
          sessionReads += 1;
          return null;
        },
      },
    } as unknown as AuthDeps["store"],
  };
  const issued = await tokens.issue(
    "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
    "ses_x",
    clock.now() + 3600_000,
  );
  return { clock, deps, token: issued.token, sessionReads: () => sessionReads };
}

describe("authentication with an access token verified before, without a promise (issue 18)", () => {
  it("sets the caller at once, with no promise, for a token verified before", async () => {
    const { deps, token, sessionReads } = await setUp();
    const identify = createAuthenticator(deps, "access");
    const first = contextWith(`Bearer ${token}`);
    // The first sight of the token verifies its signature: that waits.
    const pending = identify(first.c, true);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    const again = contextWith(`Bearer ${token}`);
    expect(identify(again.c, true)).toBeUndefined();
    expect(again.caller()).toEqual(first.caller());
    expect(again.caller()).toMatchObject({
      kind: "access",
      agentId: "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
      sessionId: "ses_x",
      session: { checked: false },
    });
    // Deferred: the session is the operation's to check, not read here.
    expect(sessionReads()).toBe(0);
  });

  it("without a synchronous session read, still reads the session when the check is not deferred, and refuses what it refused", async () => {
    const { clock, deps, token, sessionReads } = await setUp();
    const identify = createAuthenticator(deps, "access");
    await identify(contextWith(`Bearer ${token}`).c, true);
    // Not deferred: the session (null here: unknown) is read and refused.
    await expect(identify(contextWith(`Bearer ${token}`).c, false)).rejects.toMatchObject({
      code: "invalid_credentials",
    });
    expect(sessionReads()).toBe(1);
    // Malformed headers and other credentials take the full path, with its errors.
    await expect(identify(contextWith(`Basic ${token}`).c, true)).rejects.toMatchObject({
      code: "invalid_credentials",
    });
    await expect(identify(contextWith("  ").c, true)).rejects.toMatchObject({
      code: "missing_credentials",
    });
    // Past its expiry a token verified before is refused at once.
    clock.advance(3600_000);
    expect(() => identify(contextWith(`Bearer ${token}`).c, true)).toThrow(
      expect.objectContaining({ code: "token_expired" }),
    );
  });

  it("reads the session synchronously where the store can (SQLite), with its refusals", async () => {
    const { clock, deps, token, sessionReads } = await setUp();
    let session: {
      agentId: string;
      apiKeyId: string;
      expiresAt: number;
      revokedAt: number | null;
    } = {
      agentId: "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
      apiKeyId: "key_1",
      expiresAt: clock.now() + 3600_000,
      revokedAt: null,
    };
    let syncReads = 0;
    const sync: AuthDeps = {
      ...deps,
      store: {
        auth: {
          ...deps.store.auth,
          sessionNow: () => {
            syncReads += 1;
            return session;
          },
        },
      } as unknown as AuthDeps["store"],
    };
    const identify = createAuthenticator(sync, "access");
    // The first sight of the token verifies it (deferred here, so no session read yet).
    await identify(contextWith(`Bearer ${token}`).c, true);
    const again = contextWith(`Bearer ${token}`);
    expect(identify(again.c, false)).toBeUndefined();
    expect(again.caller()).toMatchObject({
      kind: "access",
      agentId: "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
      sessionId: "ses_x",
      apiKeyId: "key_1",
    });
    expect(again.caller().session).toBeUndefined();
    expect(syncReads).toBe(1);
    expect(sessionReads()).toBe(0); // never through the promise
    // Revoked after the token was verified: refused at once, on the next request.
    session = { ...session, revokedAt: clock.now() };
    expect(() => identify(contextWith(`Bearer ${token}`).c, false)).toThrow(
      expect.objectContaining({ code: "session_revoked" }),
    );
    // Another agent's session under this id: not this token's.
    session = { ...session, agentId: "agt_01jqzb7x3k9m2n4p6r8s0t1v2x", revokedAt: null };
    expect(() => identify(contextWith(`Bearer ${token}`).c, false)).toThrow(
      expect.objectContaining({ code: "invalid_credentials" }),
    );
  });
});
