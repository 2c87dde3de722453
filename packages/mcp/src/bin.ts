import { redact } from "@fluxra/sdk";
import { main } from "./cli.js";

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `fluxra-mcp: ${redact(error instanceof Error ? error.message : String(error))}\n`,
  );
  process.exit(1);
});
