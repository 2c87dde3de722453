import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { configFromEnv, parsePositiveInt } from "./platform/config.js";
import { fastLaneServer } from "./platform/fast-lane.js";
import { pgPoolSize, pgSendWait, redactUrl } from "./storage/postgres/cli-options.js";
import { createPostgresStore, isPostgresUrl } from "./storage/postgres/index.js";
import { createSqliteStore } from "./storage/sqlite/index.js";

const usage = `Usage: fluxra-server [--port N] [--host H] [--db PATH] [--token-ttl SECONDS]

Runs the Fluxra Chat API reference server on embedded SQLite or on PostgreSQL.

  --port        port to listen on (env PORT, default 8787; 0 picks a free port)
  --host        address to bind (env HOST, default 127.0.0.1; 0.0.0.0 for all interfaces)
  --db          SQLite file, or postgres://user@host:5432/db to run on PostgreSQL
                (several instances may share one database; env FLUXRA_DB,
                default ./.fluxra/fluxra.db; FLUXRA_PG_POOL_SIZE, default 10;
                FLUXRA_PG_SEND_WAIT_US, the longest a send batch waits for concurrent
                sends under load, in µs, default 0: off)
  --token-ttl   access-token lifetime in seconds (env FLUXRA_TOKEN_TTL, default 900)

Environment: FLUXRA_RATE_LIMITS=off disables rate limiting (tests, benchmarks only);
FLUXRA_CORS_ORIGINS=https://a.example,https://b.example enables CORS for those origins;
FLUXRA_ISSUER sets the access tokens' iss; FLUXRA_TRUST_PROXY=1 trusts X-Forwarded-For;
FLUXRA_EVENTS=off leaves the Events preview (/api/events) unmounted; FLUXRA_EVENTS_RETENTION
sets how long events are kept, in seconds (default 86400).`;

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "token-ttl": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const env = process.env;
  const portText = values.port ?? env["PORT"] ?? "8787";
  const port = portText === "0" ? 0 : parsePositiveInt(portText, "--port");
  const host = values.host ?? env["HOST"] ?? "127.0.0.1";
  const dbPath = values.db ?? env["FLUXRA_DB"] ?? "./.fluxra/fluxra.db";
  const config = configFromEnv(env);
  if (values["token-ttl"])
    config.tokenTtlSeconds = parsePositiveInt(values["token-ttl"], "--token-ttl");

  // `pnpm start` runs in the package folder; INIT_CWD is where the user typed it.
  // postgres://… picks PostgreSQL (several instances may share it); anything else is a SQLite file.
  const onPostgres = isPostgresUrl(dbPath);
  const dbFile = onPostgres ? redactUrl(dbPath) : resolve(env["INIT_CWD"] ?? process.cwd(), dbPath);
  const store = onPostgres
    ? createPostgresStore(dbPath, {
        maxConnections: pgPoolSize(process.env["FLUXRA_PG_POOL_SIZE"]),
        sendGroupWaitMicros: pgSendWait(process.env["FLUXRA_PG_SEND_WAIT_US"]),
      })
    : createSqliteStore(dbFile);
  const shutdown = new AbortController();
  const app = createApp({ store, config, shutdown: shutdown.signal });
  // The fast lane (platform/fast-lane.ts) serves the hot Chat routes in front of Hono's listener.
  const createServer = fastLaneServer(app);
  const server = serve({ fetch: app.fetch, port, hostname: host, createServer }, (info) => {
    const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
    console.log(`Fluxra server listening on http://${shown}:${info.port} (database ${dbFile})`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    // In-flight requests finish (each write is already committed or rolled back as a unit).
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    // Held event long-polls answer now and event streams end, so close() does not wait on them.
    shutdown.abort();
    server.close(() => {
      void store.close().then(() => process.exit(0));
    });
    (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

try {
  main();
} catch (err) {
  console.error(`fluxra-server: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
