import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // The machine is shared: two workers keep the suite fast without starving other jobs.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
