import { reportError } from "./output/errors.js";
import { type Io, processIo } from "./output/io.js";
import { createProgram } from "./program.js";

/**
 * Runs `fluxra` with `argv` (without the node and script paths) and returns the exit code:
 * 0 ok, 1 error (API or CLI, its code printed), 2 usage, 130 interrupted.
 * @example process.exitCode = await run(["whoami", "--json"]);
 */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error, io, argv.includes("--json"));
  }
}
