// The server's ajv-based response validator (the spec's own schemas, JSON Schema 2020-12), reused
// rather than written again: `--json` output must be exactly what the spec says the API returns.
import { specValidator } from "../../../../apps/server/src/testing/index.js";

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
  return specValidator()
    .check({
      method,
      path,
      status,
      headers: new Headers({
        "x-request-id": "req_cli_output",
        "content-type": "application/json",
      }),
      body: JSON.stringify(body),
    })
    .filter((problem) => !problem.includes("missing required header"));
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
