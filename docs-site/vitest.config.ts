import { defineConfig } from "vitest/config";

// Browser and sample tests start real processes; run files one at a time on the shared 2 cores.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", ".vitepress/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
