import { type ConfigInput, createManualClock, type ManualClock } from "@fluxra/server";
import { createReferenceServer, type ReferenceServer } from "@fluxra/server/testing";

/** The reference server of @fluxra/server/testing, with a clock the tests move by hand. */
export type TestServer = ReferenceServer<ManualClock>;

/**
 * Builds the reference server (@fluxra/server/testing) on a fresh database with a manual clock
 * (token expiry, rate-limit windows); rate limits off unless `config` says so.
 */
export function startServer(config: ConfigInput = { rateLimits: { enabled: false } }): TestServer {
  return createReferenceServer({ config, clock: createManualClock(Date.now()) });
}
