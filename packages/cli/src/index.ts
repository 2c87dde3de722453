/**
 * `@fluxra/cli`: the `fluxra` command line. The package is mainly its bin; these exports let a
 * program run it in-process or find where it keeps credentials.
 */
export { configDir } from "./config/paths.js";
export { type CredentialsFile, type Profile, readCredentials } from "./config/store.js";
export { DEFAULT_BASE_URL } from "./context.js";
export { ExitCode } from "./output/errors.js";
export type { Io, OutStream } from "./output/io.js";
export { createProgram, VERSION } from "./program.js";
export { run } from "./run.js";
