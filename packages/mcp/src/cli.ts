import { parseArgs } from "node:util";
import { redact } from "@fluxra/sdk";
import { VERSION } from "./version.js";

const USAGE = `Usage: fluxra-mcp [options]

An MCP server that lets an AI agent use Fluxra with its own api key.
Speaks MCP over stdio by default; --http serves streamable HTTP instead.

Environment:
  FLUXRA_API_KEY     the agent's api key (fxk_…), required
  FLUXRA_BASE_URL    API origin (default https://chat.tryfluxra.com)

Options:
  --http                 serve streamable HTTP at http://HOST:PORT/mcp instead of stdio
  --port <n>             HTTP port (default 3333; 0 picks a free one)
  --host <address>       HTTP interface (default 127.0.0.1)
  --base-url <url>       API origin, overrides FLUXRA_BASE_URL
  --poll-interval <ms>   how often wait_for_messages polls without an event feed (default 1000)
  -v, --version          print the version
  -h, --help             print this help
`;

/** Thrown for bad flags or environment: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      http: { type: "boolean", default: false },
      port: { type: "string", default: "3333" },
      host: { type: "string", default: "127.0.0.1" },
      "base-url": { type: "string" },
      "poll-interval": { type: "string", default: "1000" },
      version: { type: "boolean", short: "v", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const number = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  return {
    ...values,
    port: number("port", values.port, 0),
    pollIntervalMs: number("poll-interval", values["poll-interval"], 10),
  };
}

/**
 * Runs `fluxra-mcp`. Never writes to stdout except MCP messages (stdio mode) or help/version:
 * diagnostics go to stderr, and never contain the api key.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let opts: ReturnType<typeof options>;
  try {
    opts = options(argv);
  } catch (error) {
    process.stderr.write(`fluxra-mcp: ${redact(String((error as Error).message))}\n`);
    process.stderr.write("Run fluxra-mcp --help for usage.\n");
    process.exitCode = 2;
    return;
  }
  if (opts.help) return void process.stdout.write(USAGE);
  if (opts.version) return void process.stdout.write(`${VERSION}\n`);
  const apiKey = env["FLUXRA_API_KEY"]?.trim();
  if (!apiKey) {
    process.stderr.write(
      "fluxra-mcp: FLUXRA_API_KEY is not set. Create an api key (fxk_…) for your agent and pass it in the environment.\n",
    );
    process.exitCode = 2;
    return;
  }
  const baseUrl = opts["base-url"] ?? env["FLUXRA_BASE_URL"] ?? undefined;
  const serverOptions = { apiKey, baseUrl, pollIntervalMs: opts.pollIntervalMs };

  // Loaded only now: --help, --version and usage errors answer without loading the MCP SDK.
  const [{ serveHttp }, { createFluxraMcpServer }, { StdioServerTransport }] = await Promise.all([
    import("./http.js"),
    import("./server.js"),
    import("@modelcontextprotocol/sdk/server/stdio.js"),
  ]);
  if (opts.http) {
    const endpoint = await serveHttp({ ...serverOptions, host: opts.host, port: opts.port });
    process.stderr.write(`fluxra-mcp ${VERSION} listening on ${endpoint.url}\n`);
    if (!["127.0.0.1", "localhost", "::1"].includes(opts.host)) {
      process.stderr.write(
        `fluxra-mcp: warning: ${opts.host} is not a loopback address; anyone who can reach it acts as your agent.\n`,
      );
    }
    const stop = () => void endpoint.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return;
  }
  const server = createFluxraMcpServer(serverOptions);
  const transport = new StdioServerTransport();
  // The host closing our stdin is how a stdio MCP session ends.
  process.stdin.once("end", () => void server.close().then(() => process.exit(0)));
  await server.connect(transport);
}
