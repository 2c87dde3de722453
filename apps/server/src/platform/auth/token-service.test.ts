import { decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../clock.js";
import { resolveConfig } from "../config.js";
import type { PlatformStore } from "../store.js";
import { createKeyRing, type KeyRing } from "./keyring.js";
import { createTokenService } from "./tokens.js";

/** A platform store holding only server secrets, counting how often they are read. */
function secretsStore() {
  const secrets = new Map<string, string>();
  let reads = 0;
  const store = {
    getOrCreateSecret: async (name: string, candidate: string) => {
      reads += 1;
      if (!secrets.has(name)) secrets.set(name, candidate);
      return secrets.get(name) as string;
    },
  } as unknown as PlatformStore;
  return { store, reads: () => reads };
}

/** Wraps a key ring to count verifications that reach the keys (cache misses). */
function counting(keys: KeyRing) {
  let misses = 0;
  return {
    ring: {
      ...keys,
      ready: () => {
        misses += 1;
        return keys.ready();
      },
    } as KeyRing,
    misses: () => misses,
  };
}

describe("token service", () => {
  it("loads and imports the keys once, and verifies a token's signature once until it expires", async () => {
    const clock = createManualClock();
    const { store, reads } = secretsStore();
    const keys = createKeyRing(store, () => clock.now());
    const { ring, misses } = counting(keys);
    const tokens = createTokenService(ring, clock, resolveConfig());
    const issued = await tokens.issue(
      "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
      "ses_x",
      clock.now() + 3600_000,
    );
    const before = misses();
    for (let i = 0; i < 50; i++) {
      expect((await tokens.verify(issued.token)).sessionId).toBe("ses_x");
    }
    expect(misses() - before).toBe(1);
    expect(reads()).toBe(3); // signing key, cursor key, replay key: read once each

    clock.advance(15 * 60_000 + 31_000);
    await expect(tokens.verify(issued.token)).rejects.toMatchObject({ code: "token_expired" });
  });

  it("shares one signing key between key rings on the same store (instances)", async () => {
    const clock = createManualClock();
    const { store } = secretsStore();
    const one = createTokenService(
      createKeyRing(store, () => clock.now()),
      clock,
      resolveConfig(),
    );
    const two = createTokenService(
      createKeyRing(store, () => clock.now()),
      clock,
      resolveConfig(),
    );
    const issued = await one.issue(
      "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
      "ses_y",
      clock.now() + 3600_000,
    );
    expect((await two.verify(issued.token)).agentId).toBe("agt_01jqzb7x3k9m2n4p6r8s0t1v2w");
  });

  it("gives every token its own 128-bit jti, also across refills of the random pool", async () => {
    const clock = createManualClock();
    const keys = createKeyRing(secretsStore().store, () => clock.now());
    const tokens = createTokenService(keys, clock, resolveConfig());
    const { verifyKeys, kid } = await keys.ready();
    const jtis = new Set<string>();
    // 600 tokens: the 4 KiB pool holds 256 token ids, so this crosses two refills.
    for (let i = 0; i < 600; i++) {
      const issued = await tokens.issue(
        "agt_01jqzb7x3k9m2n4p6r8s0t1v2w",
        "ses_z",
        clock.now() + 3600_000,
      );
      const jti = decodeJwt(issued.token).jti as string;
      expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(jti, "base64url")).toHaveLength(16);
      jtis.add(jti);
      if (i % 100 === 0) {
        // Still exactly what jose verifies against the published key.
        const { payload } = await jwtVerify(issued.token, verifyKeys.get(kid) as CryptoKey, {
          algorithms: ["EdDSA"],
          typ: "at+jwt",
          currentDate: new Date(clock.now()),
        });
        expect(payload.jti).toBe(jti);
      }
    }
    expect(jtis.size).toBe(600);
  });
});
