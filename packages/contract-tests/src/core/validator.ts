import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import {
  parseJson,
  type RecordedRequest,
  type RecordedResponse,
  type Violation,
} from "./exchange.js";
import {
  deref,
  listOperations,
  type OpenApiDocument,
  type OperationEntry,
  pointerEscape,
} from "./spec.js";

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

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
 * Validates responses against the bundled OpenAPI document with ajv (JSON Schema 2020-12 +
 * formats): the status is declared for the matched operation, every declared header is present
 * when required and matches its schema, and the body matches the declared content schema.
 */
export class SpecValidator {
  private readonly ajv: InstanceType<typeof Ajv2020.default>;
  readonly operations: OperationEntry[];
  private readonly compiled = new Map<string, Validate>();

  constructor(readonly doc: OpenApiDocument) {
    this.ajv = new Ajv2020.default({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(this.ajv);
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Math.abs(n) < 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(doc as object, "spec");
    this.operations = listOperations(doc);
  }

  /** The operation answering `method path` (path without query), or undefined. */
  findOperation(method: string, path: string): OperationEntry | undefined {
    const m = method.toUpperCase();
    return this.operations
      .filter((op) => op.method === m && op.pattern.test(path))
      .sort((a, b) => a.params - b.params)[0];
  }

  /** Every way `res` departs from the spec, each filed under the rule it breaks. */
  check(req: RecordedRequest, res: RecordedResponse): Violation[] {
    const out: Violation[] = [];
    const op = this.findOperation(req.method, req.path);
    if (!op) return this.checkUnrouted(req, res);
    // A preview extension (`x-fluxra-preview`) a server does not serve answers like an unknown
    // route (404 route_not_found), which is not an undeclared status of the operation.
    if (op.operation["x-fluxra-preview"] === true && res.status === 404) {
      const out = this.checkBody(res, "/components/schemas/Error", true, op);
      const code = (parseJson(res.body) as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (code !== "route_not_found") {
        out.push({
          ruleId: specRuleId(op),
          message: `an unserved preview operation must answer 404 route_not_found, got code ${String(code)}`,
          specPointer: `/paths/${pointerEscape(op.path)}`,
        });
      }
      return out;
    }
    const base = `/paths/${pointerEscape(op.path)}/${op.method.toLowerCase()}/responses`;
    const opRule = specRuleId(op);
    const declared = op.operation.responses;
    const key = String(res.status) in declared ? String(res.status) : "default";
    if (!(key in declared)) {
      out.push({
        ruleId: opRule,
        message: `status ${res.status} is not declared for ${op.operationId} (declared: ${Object.keys(declared).join(", ")})`,
        specPointer: base,
      });
      if (res.status >= 400)
        out.push(...this.checkBody(res, "/components/schemas/Error", true, op));
      return out;
    }
    const raw = declared[key] as { $ref?: string };
    const pointer = raw.$ref ? raw.$ref.slice(1) : `${base}/${key}`;
    const response = deref<{
      headers?: Record<string, unknown>;
      content?: Record<string, unknown>;
    }>(this.doc, raw);
    for (const [name, headerRef] of Object.entries(response.headers ?? {})) {
      const ref = (headerRef as { $ref?: unknown }).$ref;
      const headerPointer =
        typeof ref === "string" ? ref.slice(1) : `${pointer}/headers/${pointerEscape(name)}`;
      out.push(...this.checkHeader(res, name, headerRef, headerPointer, opRule));
    }
    const json = response.content?.["application/json"];
    if (json) {
      out.push(
        ...this.checkBody(
          res,
          `${pointer}/content/application~1json/schema`,
          res.status >= 400,
          op,
        ),
      );
    } else if (res.body !== "") {
      out.push({
        ruleId: opRule,
        message: `a body was sent with ${res.status}, where the spec declares none`,
        specPointer: pointer,
      });
    }
    return out;
  }

  private checkHeader(
    res: RecordedResponse,
    name: string,
    headerRef: unknown,
    specPointer: string,
    opRule: string,
  ): Violation[] {
    const ruleId = headerRules[name.toLowerCase()] ?? opRule;
    const header = deref<{ required?: boolean; schema?: unknown }>(this.doc, headerRef);
    const value = res.headers[name.toLowerCase()];
    if (value === undefined) {
      return header.required
        ? [{ ruleId, message: `required header ${name} is missing`, specPointer }]
        : [];
    }
    const schema = deref<{ type?: string }>(this.doc, header.schema);
    const numeric = schema.type === "integer" || schema.type === "number";
    const data = numeric && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    const validate = this.validator(`${specPointer}/schema`);
    if (validate(data)) return [];
    return [
      {
        ruleId,
        message: `header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors as never, { dataVar: name })}`,
        specPointer,
      },
    ];
  }

  private checkBody(
    res: RecordedResponse,
    schemaPointer: string,
    isError: boolean,
    op: OperationEntry | undefined,
  ): Violation[] {
    const ruleId = isError || !op ? "conventions.error-envelope" : specRuleId(op);
    const type = res.headers["content-type"] ?? "";
    const out: Violation[] = [];
    if (!/^application\/json\b/i.test(type)) {
      out.push({
        ruleId,
        message: `Content-Type is ${JSON.stringify(type)}, not application/json`,
        specPointer: schemaPointer,
      });
    }
    let data: unknown;
    try {
      data = JSON.parse(res.body);
    } catch {
      return [
        ...out,
        {
          ruleId,
          message: `body is not JSON: ${res.body.slice(0, 200)}`,
          specPointer: schemaPointer,
        },
      ];
    }
    const validate = this.validator(schemaPointer);
    if (!validate(data)) {
      out.push({
        ruleId,
        message: `body violates the schema: ${this.ajv.errorsText(validate.errors as never, { dataVar: "body" })}`,
        specPointer: schemaPointer,
      });
    }
    return out;
  }

  /** A request no operation matches must get the envelope: 405 if the path exists, else 404. */
  private checkUnrouted(req: RecordedRequest, res: RecordedResponse): Violation[] {
    const pathKnown = this.operations.some((o) => o.pattern.test(req.path));
    const expected = pathKnown ? 405 : 404;
    const out: Violation[] = [];
    if (res.status !== expected) {
      out.push({
        ruleId: "conventions.unrouted-requests",
        message: `${req.method} ${req.path} matches no operation of the spec, so it must answer ${expected}, got ${res.status}`,
        specPointer: "/paths",
      });
    }
    if (!res.headers["x-request-id"]) {
      out.push({
        ruleId: "conventions.request-id-header",
        message: "required header X-Request-Id is missing",
        specPointer: "/components/headers/X-Request-Id",
      });
    }
    out.push(...this.checkBody(res, "/components/schemas/Error", true, undefined));
    return out;
  }

  private validator(schemaPointer: string): Validate {
    let validate = this.compiled.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.getSchema(`spec#${schemaPointer}`) as Validate | undefined;
      if (!validate) throw new Error(`No schema at ${schemaPointer} in the spec`);
      this.compiled.set(schemaPointer, validate);
    }
    return validate;
  }
}
