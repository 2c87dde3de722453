import { type Finding, ResponseChecker } from "@fluxra/openapi/response-check";
import {
  parseJson,
  type RecordedRequest,
  type RecordedResponse,
  type Violation,
} from "./exchange.js";
import {
  listOperations,
  type OpenApiDocument,
  type OperationEntry,
  pointerEscape,
} from "./spec.js";

/**
 * Which rule a broken response header counts against: shared headers belong to the convention that
 * defines them, so one server bug shows up as one failing rule instead of one per operation.
 */
const headerRules: Record<string, string> = {
  "x-request-id": "conventions.request-id-header",
  "ratelimit-limit": "conventions.rate-limit-headers",
  "ratelimit-remaining": "conventions.rate-limit-headers",
  "ratelimit-reset": "conventions.rate-limit-headers",
  "retry-after": "conventions.rate-limit-429",
  "cache-control": "conventions.secrets-no-store",
  "idempotent-replayed": "conventions.idempotency-replay",
  "www-authenticate": "auth.www-authenticate",
};

/** Rule id of the per-operation conformance rule (`chat.spec.sendMessage`). */
export const specRuleId = (op: Pick<OperationEntry, "domain" | "operationId">): string =>
  `${op.domain}.spec.${op.operationId}`;

/**
 * Validates responses against the bundled OpenAPI document with the spec's one response checker
 * (@fluxra/openapi/response-check: ajv, JSON Schema 2020-12 + formats), filing each finding under
 * the rule it breaks.
 */
export class SpecValidator {
  private readonly checker: ResponseChecker<OperationEntry>;
  readonly operations: OperationEntry[];

  constructor(readonly doc: OpenApiDocument) {
    const entries = new Map(listOperations(doc).map((e) => [`${e.method} ${e.path}`, e]));
    this.checker = new ResponseChecker(doc, (op) => {
      const entry = entries.get(`${op.method} ${op.path}`);
      if (!entry) throw new Error(`no entry for ${op.method} ${op.path}`);
      return entry;
    });
    this.operations = this.checker.operations;
  }

  /** The operation answering `method path` (path without query), or undefined. */
  findOperation(method: string, path: string): OperationEntry | undefined {
    return this.checker.findOperation(method, path);
  }

  /** Every way `res` departs from the spec, each filed under the rule it breaks. */
  check(req: RecordedRequest, res: RecordedResponse): Violation[] {
    const op = this.findOperation(req.method, req.path);
    // A preview extension (`x-fluxra-preview`) a server does not serve answers like an unknown
    // route (404 route_not_found), which is not an undeclared status of the operation.
    if (op && op.operation["x-fluxra-preview"] === true && res.status === 404) {
      const envelope = this.check(
        { ...req, method: "GET", path: "/api/no-such-route" },
        res,
      ).filter((v) => v.ruleId !== "conventions.unrouted-requests");
      const code = (parseJson(res.body) as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (code === "route_not_found") return envelope;
      return [
        ...envelope,
        {
          ruleId: specRuleId(op),
          message: `an unserved preview operation must answer 404 route_not_found, got code ${String(code)}`,
          specPointer: `/paths/${pointerEscape(op.path)}`,
        },
      ];
    }
    const findings = this.checker.check({
      method: req.method,
      path: req.path,
      status: res.status,
      header: (name) => res.headers[name],
      body: res.body,
    });
    const out = findings.map((f) => this.violation(req, res, f));
    // Unrouted requests get no declared headers checked, but X-Request-Id is on every response.
    if (!this.findOperation(req.method, req.path) && !res.headers["x-request-id"]) {
      const missing = {
        ruleId: "conventions.request-id-header",
        message: "required header X-Request-Id is missing",
        specPointer: "/components/headers/X-Request-Id",
      };
      const unrouted = out.findIndex((v) => v.ruleId === "conventions.unrouted-requests");
      out.splice(unrouted + 1, 0, missing);
    }
    return out;
  }

  private violation(
    req: RecordedRequest,
    res: RecordedResponse,
    f: Finding<OperationEntry>,
  ): Violation {
    const specPointer = f.pointer;
    switch (f.kind) {
      case "unrouted":
        return {
          ruleId: "conventions.unrouted-requests",
          message: `${req.method} ${req.path} matches no operation of the spec, so it must answer ${f.expected}, got ${res.status}`,
          specPointer,
        };
      case "undeclared-status":
        return {
          ruleId: specRuleId(f.op),
          message: `status ${res.status} is not declared for ${f.op.operationId} (declared: ${f.declared.join(", ")})`,
          specPointer,
        };
      case "header-missing":
        return {
          ruleId: headerRules[f.name.toLowerCase()] ?? specRuleId(f.op),
          message: `required header ${f.name} is missing`,
          specPointer,
        };
      case "header-invalid":
        return {
          ruleId: headerRules[f.name.toLowerCase()] ?? specRuleId(f.op),
          message: `header ${f.name}: ${JSON.stringify(f.value)} ${this.checker.errorsText(f.errors, f.name)}`,
          specPointer,
        };
      case "unexpected-body":
        return {
          ruleId: specRuleId(f.op),
          message: `a body was sent with ${res.status}, where the spec declares none`,
          specPointer,
        };
      case "content-type":
        return {
          ruleId: bodyRule(f),
          message: `Content-Type is ${JSON.stringify(f.value)}, not application/json`,
          specPointer,
        };
      case "body-not-json":
        return {
          ruleId: bodyRule(f),
          message: `body is not JSON: ${res.body.slice(0, 200)}`,
          specPointer,
        };
      case "body-invalid":
        return {
          ruleId: bodyRule(f),
          message: `body violates the schema: ${this.checker.errorsText(f.errors, "body")}`,
          specPointer,
        };
    }
  }
}

/** Error bodies count against the envelope convention, others against their operation. */
function bodyRule(f: { isError: boolean; op: OperationEntry | undefined }): string {
  return f.isError || !f.op ? "conventions.error-envelope" : specRuleId(f.op);
}
