import { writeFileSync } from "node:fs";
import { parseArgs, usage } from "./cli-args.js";
import { formatPretty, formatResult } from "./core/report.js";
import { runSuite } from "./core/runner.js";
import { allRules } from "./rules.js";

/**
 * Runs the CLI: returns the exit code (0 all rules pass, 1 a rule failed, 2 usage/connection error).
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, env);
  } catch (e) {
    err(`fluxra-contract-tests: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    out(usage);
    return 0;
  }
  const pretty = args.reporter === "pretty";
  if (pretty) out(`Fluxra contract suite against ${args.baseUrl}`);
  try {
    const report = await runSuite({
      baseUrl: args.baseUrl,
      rules: allRules,
      only: args.only,
      ...(pretty ? { onResult: (r) => out(formatResult(r).join("\n")) } : {}),
    });
    if (pretty) {
      for (const r of report.results.filter((r) => r.kind === "spec"))
        out(formatResult(r).join("\n"));
      out(
        formatPretty({ ...report, results: [] })
          .split("\n")
          .slice(1)
          .join("\n"),
      );
    } else {
      out(JSON.stringify(report, null, 2));
    }
    if (args.jsonReport) writeFileSync(args.jsonReport, `${JSON.stringify(report, null, 2)}\n`);
    return report.summary.failed > 0 ? 1 : 0;
  } catch (e) {
    err(`fluxra-contract-tests: ${(e as Error).message}`);
    return 2;
  }
}
