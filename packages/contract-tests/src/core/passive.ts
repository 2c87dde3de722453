import { type Exchange, parseJson, type Violation } from "./exchange.js";
import { bundledSpec, type Domain } from "./spec.js";

/** A rule judged over every exchange of the run rather than by one check's requests. */
export interface PassiveRule {
  id: string;
  domain: Domain;
  title: string;
  ref: string;
}

/** The cross-cutting rules; the validator files header and envelope violations under these ids. */
export const passiveRules: PassiveRule[] = [
  {
    id: "conventions.error-envelope",
    domain: "conventions",
    title:
      "every non-2xx answers the Error envelope; error.status = HTTP status, error.request_id = X-Request-Id, code fits the status, details only (and always) with validation_failed, retry_after_ms only with rate_limited",
    ref: "api.md §1 Conventions · errors; spec #/components/schemas/Error",
  },
  {
    id: "conventions.request-id-header",
    domain: "conventions",
    title: "every response carries a well-formed X-Request-Id",
    ref: "api.md §1 Conventions · request ids; spec #/components/headers/X-Request-Id",
  },
  {
    id: "conventions.rate-limit-headers",
    domain: "conventions",
    title: "every 2xx and 4xx /api response sends RateLimit-Limit, -Remaining, -Reset (integers)",
    ref: "api.md §1 Conventions · rate limits; spec #/components/headers/RateLimit-Limit",
  },
  {
    id: "conventions.rate-limit-429",
    domain: "conventions",
    title: "any 429 is rate_limited with Retry-After ≥ 1 and error.retry_after_ms",
    ref: "api.md §1 Conventions · rate limits; spec #/components/responses/RateLimited",
  },
  {
    id: "conventions.secrets-no-store",
    domain: "conventions",
    title: "responses carrying a secret send Cache-Control: no-store",
    ref: "api.md §1 Conventions · secrets; spec #/components/headers/Cache-Control",
  },
  {
    id: "conventions.idempotent-replayed-header",
    domain: "conventions",
    title: "Idempotent-Replayed, when sent, is exactly `true`",
    ref: "api.md §1 Conventions · idempotency; spec #/components/headers/Idempotent-Replayed",
  },
  {
    id: "auth.www-authenticate",
    domain: "auth",
    title: 'access-token 401s send WWW-Authenticate: Bearer (or Bearer error="invalid_token")',
    ref: "api.md §2 Authentication; spec #/components/headers/WWW-Authenticate",
  },
  {
    id: "conventions.unrouted-requests",
    domain: "conventions",
    title: "a request matching no operation answers 404 route_not_found, or 405 on a known path",
    ref: "api.md §1 Conventions · limits (unknown route, wrong method)",
  },
  {
    id: "conventions.pagination-envelope",
    domain: "conventions",
    title:
      "every list page has data, has_more, next_cursor; next_cursor is null exactly when has_more is false; no more items than limit",
    ref: "api.md §1 Conventions · pagination",
  },
  {
    id: "conventions.no-server-errors",
    domain: "conventions",
    title: "no request of the suite (all of them valid or merely bad input) gets a 5xx",
    ref: "api.md §1 Conventions · limits (never a 500 for bad input)",
  },
];

const errorCodeSchema = bundledSpec().components["schemas"]?.["ErrorCode"] as
  | Record<string, unknown>
  | undefined;

/** Which HTTP status each error code must travel with: the spec's `x-status-by-code` on `ErrorCode`. */
export const codeStatus = statusByCode();

function statusByCode(): Record<string, number> {
  const map = errorCodeSchema?.["x-status-by-code"];
  // Without it every status check would pass vacuously: refuse to run instead.
  if (!map) throw new Error("the bundled spec has no x-status-by-code on ErrorCode");
  return map as Record<string, number>;
}

type Body = Record<string, unknown>;

/** Rules about response meaning (not shape) that every exchange must follow. */
export function semanticViolations(ex: Exchange): Violation[] {
  const out: Violation[] = [];
  const { status, headers } = ex.response;
  const body = parseJson(ex.response.body) as Body | undefined;
  const v = (ruleId: string, message: string, specPointer: string) =>
    out.push({ ruleId, message, specPointer });
  if (status >= 500) {
    v("conventions.no-server-errors", `answered ${status}`, "/components/responses/InternalError");
  }
  const error = (body?.["error"] ?? undefined) as Body | undefined;
  if (status >= 400 && error && typeof error === "object") {
    const p = "/components/schemas/ErrorBody";
    const code = String(error["code"]);
    if (error["status"] !== status) {
      v(
        "conventions.error-envelope",
        `error.status is ${String(error["status"])}, HTTP status is ${status}`,
        p,
      );
    }
    if (error["request_id"] !== headers["x-request-id"]) {
      v(
        "conventions.error-envelope",
        `error.request_id ${JSON.stringify(error["request_id"])} differs from X-Request-Id ${JSON.stringify(headers["x-request-id"])}`,
        p,
      );
    }
    if (code in codeStatus && codeStatus[code] !== status) {
      v(
        "conventions.error-envelope",
        `code ${code} belongs with ${codeStatus[code]}, sent with ${status}`,
        "/components/schemas/ErrorCode",
      );
    }
    if ((code === "validation_failed") !== "details" in error) {
      v(
        "conventions.error-envelope",
        code === "validation_failed"
          ? "validation_failed without details"
          : `details sent with ${code}`,
        p,
      );
    }
    if ((code === "rate_limited") !== "retry_after_ms" in error) {
      v(
        code === "rate_limited" ? "conventions.rate-limit-429" : "conventions.error-envelope",
        code === "rate_limited"
          ? "rate_limited without retry_after_ms"
          : `retry_after_ms sent with ${code}`,
        p,
      );
    }
  }
  if (status === 429 && error?.["code"] !== "rate_limited") {
    v(
      "conventions.rate-limit-429",
      `429 with code ${String(error?.["code"])}`,
      "/components/responses/RateLimited",
    );
  }
  if (status >= 200 && status < 300 && body && "has_more" in body && Array.isArray(body["data"])) {
    out.push(...pageViolations(ex, body));
  }
  return out;
}

function pageViolations(ex: Exchange, body: Body): Violation[] {
  const out: Violation[] = [];
  const ruleId = "conventions.pagination-envelope";
  const hasMore = body["has_more"];
  const cursor = body["next_cursor"];
  if ((cursor === null) !== (hasMore === false)) {
    out.push({
      ruleId,
      message: `has_more=${String(hasMore)} with next_cursor=${JSON.stringify(cursor)}`,
      specPointer: "/components/schemas/NextCursor",
    });
  }
  const limit = Number(new URL(ex.request.url).searchParams.get("limit") ?? 50);
  const count = (body["data"] as unknown[]).length;
  if (Number.isInteger(limit) && count > limit) {
    out.push({
      ruleId,
      message: `${count} items on a page of limit ${limit}`,
      specPointer: "/components/parameters/Limit",
    });
  }
  return out;
}
