import { type Exchange, redact, type Violation } from "./exchange.js";
import type { Domain } from "./spec.js";

/** A request/response pair as it appears in a report (secrets redacted, bodies truncated). */
export interface ReportedExchange {
  duringRule: string;
  operationId: string | null;
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string };
}

/** Why a rule failed. */
export interface Failure {
  message: string;
  /** The spec or api.md rule that was broken. */
  specRule: string;
  violations: Violation[];
  exchanges: ReportedExchange[];
}

/** The outcome of one rule. */
export interface RuleResult {
  id: string;
  domain: Domain;
  title: string;
  ref: string;
  /** `check`: an active check; `spec`: judged over every response of the run. */
  kind: "check" | "spec";
  /** `skip`: not applicable to this server (e.g. a preview extension it does not serve). */
  status: "pass" | "fail" | "skip";
  /** Why the rule was skipped. */
  skipReason?: string;
  durationMs: number;
  failure?: Failure;
}

/** A whole run. */
export interface SuiteReport {
  baseUrl: string;
  startedAt: string;
  durationMs: number;
  domains: Domain[];
  summary: { total: number; passed: number; failed: number; skipped: number; requests: number };
  results: RuleResult[];
}

const maxBody = 2000;
const clip = (s: string) =>
  s.length > maxBody ? `${s.slice(0, maxBody)}… (${s.length} chars)` : s;

/** An exchange for a report: secrets redacted, long bodies clipped. */
export function reportExchange(ex: Exchange): ReportedExchange {
  const headers = (h: Record<string, string>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, redact(v)]));
  return {
    duringRule: ex.duringRule,
    operationId: ex.operationId,
    request: {
      method: ex.request.method,
      url: ex.request.url,
      headers: headers(ex.request.headers),
      body: clip(redact(ex.request.body)),
    },
    response: {
      status: ex.response.status,
      headers: headers(ex.response.headers),
      body: clip(redact(ex.response.body)),
    },
  };
}

/** One line per rule; failures followed by the request, the response and the broken rule. */
export function formatPretty(report: SuiteReport): string {
  const lines: string[] = [`Fluxra contract suite against ${report.baseUrl}`];
  for (const r of report.results) lines.push(...formatResult(r));
  const { total, passed, failed, skipped, requests } = report.summary;
  lines.push(
    "",
    `${passed}/${total} rules passed, ${failed} failed, ${skipped} skipped (${requests} requests, ${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  return lines.join("\n");
}

/** The lines of one result. */
export function formatResult(r: RuleResult): string[] {
  const mark = r.status === "pass" ? "PASS" : r.status === "skip" ? "SKIP" : "FAIL";
  const lines = [`${mark} ${r.id}: ${r.title}`];
  if (r.skipReason) lines.push(`     skipped: ${r.skipReason}`);
  const f = r.failure;
  if (!f) return lines;
  lines.push(`     broke: ${f.specRule}`, `     why:   ${f.message}`);
  for (const v of f.violations.slice(0, 5))
    lines.push(`     - ${v.message} (spec #${v.specPointer})`);
  if (f.violations.length > 5) lines.push(`     … and ${f.violations.length - 5} more`);
  for (const ex of f.exchanges.slice(0, 2)) {
    const q = ex.request;
    lines.push(`     request (during ${ex.duringRule}): ${q.method} ${q.url}`);
    for (const [k, v] of Object.entries(q.headers)) lines.push(`       ${k}: ${v}`);
    if (q.body) lines.push(`       ${q.body.slice(0, 500)}`);
    lines.push(`     response: ${ex.response.status}`);
    for (const [k, v] of Object.entries(ex.response.headers)) lines.push(`       ${k}: ${v}`);
    if (ex.response.body) lines.push(`       ${ex.response.body.slice(0, 800)}`);
  }
  return lines;
}
