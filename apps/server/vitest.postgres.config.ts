import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The same suites on PostgreSQL: the shared test helper builds every app on a fresh schema of
 * the local `postgres` database (FLUXRA_TEST_PG_URL to change it). Left out, because they test the
 * SQLite file itself rather than the API: the SIGKILL/WAL crash test, the SQLite store's race
 * fixtures (storage/sqlite/, domains/<d>/sqlite/), the one fault test that reopens the SQLite file (its PostgreSQL counterpart,
 * connection loss and recovery through the same pool, is in src/scale-out/), and src/scale-out/
 * and the PostgreSQL store tests (storage/postgres/, domains/<d>/postgres/) themselves (always on PostgreSQL, so the default pass runs them).
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: { FLUXRA_TEST_DB: "postgres" },
      globalSetup: ["src/storage/postgres/test-global-setup.ts"],
      exclude: [
        "**/node_modules/**",
        "src/crash.test.ts",
        "src/storage/sqlite/**",
        "src/domains/*/sqlite/**",
        "src/scale-out/**",
        "src/storage/postgres/**",
        "src/domains/*/postgres/**",
      ],
      testNamePattern:
        /^(?!.*answers 503 service_unavailable when the database is gone, and recovers with it).*$/,
    },
  }),
);
