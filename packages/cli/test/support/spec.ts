// The spec's one response checker (@fluxra/openapi/response-check: ajv over the spec's own schemas,
// JSON Schema 2020-12), reused rather than written again: `--json` output must be exactly what the
// spec says the API returns.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ResponseChecker } from "@fluxra/openapi/response-check";

let checker: ResponseChecker | undefined;

/** The checker over the bundled spec, built once. */
function specChecker(): ResponseChecker {
  const path = createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json");
  checker ??= new ResponseChecker(JSON.parse(readFileSync(path, "utf8")));
  return checker;
}

/**
 * Checks `body` as the response of `method path` with `status` against the bundled spec; returns
 * the problems (empty when it conforms). The CLI prints bodies, not headers, so headers are not
 * checked.
 */
export function specProblems(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const checker = specChecker();
  return checker
    .check({
      method,
      path,
      status,
      header: (name) => (name === "content-type" ? "application/json" : undefined),
      body: JSON.stringify(body),
    })
    .filter((finding) => finding.kind !== "header-missing")
    .map((finding) => {
      const where = `${method} ${path} → ${status}: ${finding.kind} at ${finding.pointer}`;
      return "errors" in finding ? `${where}: ${checker.errorsText(finding.errors)}` : where;
    });
}

/**
 * Checks a list printed with `--all`: it keeps the API's list shape but holds every item, more than
 * the spec's 100 per page, so each run of 100 items is checked as one page of `GET path`.
 */
export function specProblemsForAll(
  path: string,
  list: { data: unknown[]; has_more: boolean; next_cursor: string | null },
): string[] {
  const problems: string[] = [];
  for (let i = 0; i < Math.max(list.data.length, 1); i += 100) {
    const data = list.data.slice(i, i + 100);
    problems.push(...specProblems("GET", path, 200, { ...list, data }));
  }
  return problems;
}
