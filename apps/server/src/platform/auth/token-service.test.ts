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
});
