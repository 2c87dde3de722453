import { main } from "../src/cli.js";
import { startReferenceServer } from "../test/support/serve.js";

const s = await startReferenceServer();
const code = await main(["--base-url", s.baseUrl, ...process.argv.slice(2)], {});
console.log("exit", code);
await s.close();
