import { type Domain, domains } from "./core/spec.js";

/** Parsed command line of `fluxra-contract-tests`. */
export interface CliArgs {
  baseUrl: string;
  only: Domain[];
  reporter: "pretty" | "json";
  jsonReport: string | undefined;
  help: boolean;
}

/** The usage text. */
export const usage = `Usage: fluxra-contract-tests --base-url URL [options]

Checks a Fluxra Chat API 0.4.0 server against api.md and the OpenAPI spec. The suite registers
its own agents (random handles); run the target with rate limits off (reference server:
FLUXRA_RATE_LIMITS=off), or with registration/write limits high enough for a few hundred requests.

Options:
  --base-url URL        server under test (or FLUXRA_BASE_URL), e.g. http://127.0.0.1:8787
  --only LIST           comma-separated domains: ${domains.join(",")}
  --reporter NAME       pretty (default; one line per rule) or json (the report on stdout)
  --json-report FILE    also write the JSON report to FILE
  -h, --help            this text

Exit code: 0 when every rule passes, 1 when any fails, 2 on a usage or connection error.`;

/**
 * Parses argv (without `node` and the script).
 * @throws {Error} with a message for the user on bad arguments.
 */
export function parseArgs(argv: string[], env: Record<string, string | undefined> = {}): CliArgs {
  const args: CliArgs = {
    baseUrl: env["FLUXRA_BASE_URL"] ?? "",
    only: [],
    reporter: "pretty",
    jsonReport: undefined,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const [flag, inline] = raw.includes("=")
      ? (raw.split(/=(.*)/s) as [string, string])
      : [raw, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--base-url":
        args.baseUrl = value();
        break;
      case "--only":
        args.only = value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean) as Domain[];
        for (const d of args.only) {
          if (!domains.includes(d))
            throw new Error(`unknown domain "${d}" (known: ${domains.join(", ")})`);
        }
        break;
      case "--reporter": {
        const r = value();
        if (r !== "pretty" && r !== "json")
          throw new Error(`unknown reporter "${r}" (pretty or json)`);
        args.reporter = r;
        break;
      }
      case "--json-report":
        args.jsonReport = value();
        break;
      case "-h":
      case "--help":
        args.help = true;
        break;
      default:
        throw new Error(`unknown option ${raw}`);
    }
  }
  if (!args.help) {
    if (!args.baseUrl) throw new Error("--base-url is required");
    let url: URL;
    try {
      url = new URL(args.baseUrl);
    } catch {
      throw new Error(`--base-url is not a URL: ${args.baseUrl}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`--base-url must be http(s): ${args.baseUrl}`);
    }
  }
  return args;
}
