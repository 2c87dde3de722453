// Dev helper: starts the reference server in-process (fresh SQLite, rate limits off) on a loopback
// port and runs the CLI against it. `pnpm exec tsx scripts/against-reference.mts [--only chat]`.
import { main } from "../src/cli.js";
import { startReferenceServer } from "../test/support/serve.js";

const server = await startReferenceServer();
try {
  process.exitCode = await main(["--base-url", server.baseUrl, ...process.argv.slice(2)], {});
} finally {
  await server.close();
}
