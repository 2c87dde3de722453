/**
 * `@fluxra/server`: the Fluxra Chat API reference server.
 *
 * @example
 * import { createApp, createSqliteStore } from "@fluxra/server";
 * const app = createApp({ store: createSqliteStore("./.fluxra/fluxra.db") });
 */
export {
  type CreateAppOptions,
  createApp,
  type FluxraApp,
  generateOpenApiDocument,
} from "./app.js";
export { type Clock, createManualClock, type ManualClock, systemClock } from "./platform/clock.js";
export {
  type ConfigInput,
  configFromEnv,
  defaultConfig,
  type ServerConfig,
} from "./platform/config.js";
export { ApiError, type ErrorCode, errorCodes } from "./platform/errors.js";
export { fastLaneServer } from "./platform/fast-lane.js";
export {
  createPostgresStore,
  type PgOptions,
  type PostgresStore,
} from "./storage/postgres/index.js";
export { createSqliteStore, type SqliteStore } from "./storage/sqlite/index.js";
export type { Store } from "./store.js";
