import { randomBytes } from "node:crypto";

/**
 * Vitest global setup of the PostgreSQL pass: names this run (workers inherit the variable and
 * put it in their schema names) and, once every worker is done, drops the run's schemas
 * (workers may be stopped before their own exit handlers run).
 */
export default function setup(): () => Promise<void> {
  const run = randomBytes(4).toString("hex");
  process.env["FLUXRA_TEST_RUN"] = run;
  return async () => {
    const { dropRun } = await import("./test-store.js");
    await dropRun(run);
  };
}
