import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // The machine is shared: two workers keep the suite fast without starving other jobs.
    maxWorkers: 2,
    // Generous: some suites spawn the CLI (tsx start-up) and CI machines can be slow and busy.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
