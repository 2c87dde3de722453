import { type Finding, ResponseChecker } from "@fluxra/openapi/response-check";
import type { OpenApiDocument, OperationEntry } from "./spec.js";

/** A response as the validator sees it. */
export interface ObservedResponse {
  method: string;
  /** Path without query string. */
  path: string;
  status: number;
  headers: Headers;
  /** The raw body text ("" when empty). */
  body: string;
}

/**
 * Checks responses against an OpenAPI document with the spec's one response checker
 * (@fluxra/openapi/response-check, shared with the contract suite): the status is declared for
 * the operation, the body matches its schema and is sent as JSON, and every required header is
 * present and valid. Requests no operation matches must answer the error envelope (404/405).
 */
export class ResponseValidator {
  private readonly checker: ResponseChecker;

  constructor(doc: OpenApiDocument) {
    this.checker = new ResponseChecker(doc);
  }

  /** The operation answering `method path` (any method case), or undefined. */
  findOperation(method: string, path: string): OperationEntry | undefined {
    return this.checker.findOperation(method, path);
  }

  /** Every violation of the spec by `res` (empty when it conforms), as one message each. */
  check(res: ObservedResponse): string[] {
    const where = `${res.method} ${res.path} → ${res.status}`;
    const problems: string[] = [];
    if (!res.headers.get("x-request-id")) problems.push(`${where}: no X-Request-Id header`);
    const findings = this.checker.check({
      method: res.method,
      path: res.path,
      status: res.status,
      header: (name) => res.headers.get(name) ?? undefined,
      body: res.body,
    });
    return [...problems, ...findings.map((f) => `${where}: ${this.describe(f, res.body)}`)];
  }

  private describe(f: Finding, body: string): string {
    switch (f.kind) {
      case "unrouted":
        return `unknown route must answer ${f.expected}`;
      case "undeclared-status":
        return `status not declared for ${f.op.operation.operationId}`;
      case "header-missing":
        return `missing required header ${f.name}`;
      case "header-invalid":
        return `header ${f.name}=${f.value} ${this.checker.errorsText(f.errors)}`;
      case "unexpected-body":
        return "a body was sent where the spec declares none";
      case "content-type":
        return `Content-Type is ${JSON.stringify(f.value)}, not application/json`;
      case "body-not-json":
        return `body is not JSON: ${body.slice(0, 200)}`;
      case "body-invalid":
        return `body violates the spec: ${this.checker.errorsText(f.errors)}\n${body.slice(0, 500)}`;
    }
  }
}
