import { randomBytes } from "node:crypto";
import { CheckContext } from "./context.js";
import type { Exchange, Violation } from "./exchange.js";
import { CheckFailure, SkipCheck } from "./expect.js";
import { passiveRules, semanticViolations } from "./passive.js";
import type { FetchLike } from "./recorder.js";
import { Recorder } from "./recorder.js";
import { type Failure, type RuleResult, reportExchange, type SuiteReport } from "./report.js";
import type { Rule } from "./rule.js";
import { bundledSpec, type Domain, domains, type OpenApiDocument } from "./spec.js";
import { SpecValidator, specRuleId } from "./validator.js";

/** Options of {@link runSuite}. */
export interface RunOptions {
  /** The server under test, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** Rules to run (default: every rule of the suite). */
  rules: Rule[];
  /** Only these domains (default: all). */
  only?: Domain[];
  /** Transport (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /** The spec to validate against (default: the bundled Fluxra spec). */
  spec?: OpenApiDocument;
  /** Called as each check finishes (spec rules are reported at the end). */
  onResult?: (result: RuleResult) => void;
  /** Per-check time limit (default 60 s). */
  checkTimeoutMs?: number;
}

/**
 * Runs the checks one after another against `baseUrl`, validating every response against the
 * spec, then judges the spec-wide rules over all exchanges.
 * @throws {Error} when the server cannot be reached at all.
 */
export async function runSuite(options: RunOptions): Promise<SuiteReport> {
  const started = Date.now();
  const selected = options.only?.length ? options.only : [...domains];
  const validator = new SpecValidator(options.spec ?? bundledSpec());
  const recorder = new Recorder(options.baseUrl, validator);
  const inner = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  try {
    await inner(new Request(new URL("/health", options.baseUrl)));
  } catch (err) {
    throw new Error(`Cannot reach ${options.baseUrl}: ${(err as Error).message}`);
  }
  const ctx = new CheckContext(options.baseUrl, recorder, inner, randomBytes(4).toString("hex"));
  const results: RuleResult[] = [];
  for (const rule of options.rules.filter((r) => selected.includes(r.domain))) {
    const result = await runCheck(rule, ctx, recorder, options.checkTimeoutMs ?? 60_000);
    results.push(result);
    options.onResult?.(result);
  }
  recorder.currentRule = "end";
  for (const ex of recorder.exchanges) ex.violations.push(...semanticViolations(ex));
  results.push(...specResults(recorder.exchanges, validator, selected));
  const failed = results.filter((r) => r.status === "fail").length;
  const skipped = results.filter((r) => r.status === "skip").length;
  return {
    baseUrl: options.baseUrl,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    domains: selected,
    summary: {
      total: results.length,
      passed: results.length - failed - skipped,
      failed,
      skipped,
      requests: recorder.exchanges.length,
    },
    results,
  };
}

async function runCheck(
  rule: Rule,
  ctx: CheckContext,
  recorder: Recorder,
  timeoutMs: number,
): Promise<RuleResult> {
  recorder.currentRule = rule.id;
  const first = recorder.exchanges.length;
  const t0 = Date.now();
  const base = {
    id: rule.id,
    domain: rule.domain,
    title: rule.title,
    ref: rule.ref,
    kind: "check" as const,
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      rule.run(ctx),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`check did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return { ...base, status: "pass", durationMs: Date.now() - t0 };
  } catch (err) {
    if (err instanceof SkipCheck) {
      return { ...base, status: "skip", skipReason: err.message, durationMs: Date.now() - t0 };
    }
    const own = recorder.exchanges.slice(first);
    const exchange = err instanceof CheckFailure && err.exchange ? err.exchange : own.at(-1);
    const failure: Failure = {
      message: describe(err),
      specRule: rule.ref,
      violations: [],
      exchanges: exchange ? [reportExchange(exchange)] : [],
    };
    return { ...base, status: "fail", durationMs: Date.now() - t0, failure };
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  if (err instanceof CheckFailure) return err.message;
  const e = err as { name?: string; message?: string; status?: number; code?: string };
  if (typeof e.status === "number") {
    return `unexpected ${e.status} ${e.code ?? ""} from the server (${e.name}: ${e.message})`;
  }
  return `${e.name ?? "Error"}: ${e.message ?? String(err)}`;
}

/** Judges the spec-wide rules and the per-operation conformance rules over every exchange. */
function specResults(
  exchanges: Exchange[],
  validator: SpecValidator,
  selected: Domain[],
): RuleResult[] {
  const byRule = new Map<string, Array<{ v: Violation; ex: Exchange }>>();
  for (const ex of exchanges) {
    for (const v of ex.violations) {
      const list = byRule.get(v.ruleId) ?? [];
      list.push({ v, ex });
      byRule.set(v.ruleId, list);
    }
  }
  const out: RuleResult[] = [];
  const judge = (
    id: string,
    domain: Domain,
    title: string,
    ref: string,
    extra?: string,
    skipReason?: string,
  ) => {
    const found = byRule.get(id) ?? [];
    byRule.delete(id);
    const fail = found.length > 0 || (extra !== undefined && skipReason === undefined);
    const result: RuleResult = {
      id,
      domain,
      title,
      ref,
      kind: "spec",
      status: fail ? "fail" : skipReason ? "skip" : "pass",
      ...(skipReason && !fail ? { skipReason } : {}),
      durationMs: 0,
    };
    if (fail) {
      const seen = new Set<number>();
      const examples = found.filter(({ ex }) => !seen.has(ex.seq) && seen.add(ex.seq)).slice(0, 3);
      result.failure = {
        message: extra ?? `${found.length} violation(s) in ${seen.size} response(s)`,
        specRule: ref,
        violations: found.map(({ v }) => v).slice(0, 50),
        exchanges: examples.map(({ ex }) => reportExchange(ex)),
      };
    }
    out.push(result);
  };
  for (const rule of passiveRules) judge(rule.id, rule.domain, rule.title, rule.ref);
  for (const op of validator.operations) {
    const id = specRuleId(op);
    const seen = exchanges.filter((ex) => ex.operationId === op.operationId);
    if (!selected.includes(op.domain) && seen.length === 0) continue;
    const ok = seen.some((ex) => ex.response.status < 300);
    const extra =
      selected.includes(op.domain) && !ok
        ? seen.length === 0
          ? "no check exercised this operation"
          : `never answered 2xx in this run (${seen.length} calls, statuses ${[...new Set(seen.map((e) => e.response.status))].join(", ")})`
        : undefined;
    const unserved =
      op.operation["x-fluxra-preview"] === true &&
      seen.length > 0 &&
      seen.every((ex) => ex.response.status === 404)
        ? "preview extension not served here (404 route_not_found)"
        : undefined;
    judge(
      id,
      op.domain,
      `every ${op.method.toUpperCase()} ${op.path} response matches the spec (declared status, headers, body)`,
      `spec #/paths/${op.path.replace(/\//g, "~1")}/${op.method.toLowerCase()}`,
      extra,
      unserved,
    );
  }
  for (const [id, found] of byRule) {
    out.push({
      id,
      domain: "conventions",
      title: "spec violation outside the known rules",
      ref: found[0]?.v.specPointer ?? "",
      kind: "spec",
      status: "fail",
      durationMs: 0,
      failure: {
        message: `${found.length} violation(s)`,
        specRule: found[0]?.v.specPointer ?? "",
        violations: found.map(({ v }) => v),
        exchanges: found.slice(0, 3).map(({ ex }) => reportExchange(ex)),
      },
    });
  }
  return out;
}
