import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import {
  deref,
  listOperations,
  type OpenApiDocument,
  type OperationEntry,
  pointerEscape,
} from "./spec.js";

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

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/**
 * Checks responses against an OpenAPI document: the status is declared for the operation, the
 * body matches its schema (ajv, JSON Schema 2020-12), and every required header is present and
 * valid. Requests no operation matches must answer the error envelope (404/405).
 */
export class ResponseValidator {
  private readonly ajv: InstanceType<typeof Ajv2020.default>;
  private readonly operations: OperationEntry[];
  private readonly compiled = new Map<string, Validate>();

  constructor(private readonly doc: OpenApiDocument) {
    this.ajv = new Ajv2020.default({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(this.ajv);
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Math.abs(n) < 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(doc as object, "spec");
    this.operations = listOperations(doc);
  }

  /** The operation answering `method path`, or undefined. */
  findOperation(method: string, path: string): OperationEntry | undefined {
    const m = method.toLowerCase();
    return this.operations
      .filter((op) => op.method === m && op.pattern.test(path))
      .sort((a, b) => a.params - b.params)[0];
  }

  /** Every violation of the spec by `res` (empty when it conforms). */
  check(res: ObservedResponse): string[] {
    const problems: string[] = [];
    const where = `${res.method} ${res.path} → ${res.status}`;
    if (!res.headers.get("x-request-id")) problems.push(`${where}: no X-Request-Id header`);
    const op = this.findOperation(res.method, res.path);
    if (!op) {
      const pathKnown = this.operations.some((o) => o.pattern.test(res.path));
      const expected = pathKnown ? 405 : 404;
      if (res.status !== expected) problems.push(`${where}: unknown route must answer ${expected}`);
      problems.push(...this.checkBody(where, "/components/schemas/Error", res.body));
      return problems;
    }
    const pointer = `/paths/${pointerEscape(op.path)}/${op.method}/responses`;
    const declared = op.operation.responses;
    const key = String(res.status) in declared ? String(res.status) : "default";
    if (!(key in declared)) {
      problems.push(`${where}: status not declared for ${op.operation.operationId}`);
      return problems;
    }
    let responsePointer = `${pointer}/${key}`;
    const raw = declared[key] as { $ref?: string };
    if (raw.$ref) responsePointer = raw.$ref.slice(1);
    const response = deref<{
      headers?: Record<string, unknown>;
      content?: Record<string, unknown>;
    }>(this.doc, raw);
    for (const [name, headerRef] of Object.entries(response.headers ?? {})) {
      const header = deref<{ required?: boolean; schema?: unknown }>(this.doc, headerRef);
      const value = res.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`${where}: missing required header ${name}`);
        continue;
      }
      const schema = deref<{ type?: string }>(this.doc, header.schema);
      const data = schema.type === "integer" || schema.type === "number" ? Number(value) : value;
      const headerPointer =
        typeof (headerRef as { $ref?: unknown }).$ref === "string"
          ? (headerRef as { $ref: string }).$ref.slice(1)
          : `${responsePointer}/headers/${pointerEscape(name)}`;
      const validate = this.validator(`${headerPointer}/schema`);
      if (!validate(data)) {
        problems.push(
          `${where}: header ${name}=${value} ${this.ajv.errorsText(validate.errors as never)}`,
        );
      }
    }
    if (response.content?.["application/json"]) {
      problems.push(
        ...this.checkBody(where, `${responsePointer}/content/application~1json/schema`, res.body),
      );
    } else if (res.body !== "") {
      problems.push(`${where}: a body was sent where the spec declares none`);
    }
    return problems;
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

  private checkBody(where: string, schemaPointer: string, body: string): string[] {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return [`${where}: body is not JSON: ${body.slice(0, 200)}`];
    }
    const validate = this.validator(schemaPointer);
    if (validate(data)) return [];
    return [
      `${where}: body violates the spec: ${this.ajv.errorsText(validate.errors as never)}\n${body.slice(0, 500)}`,
    ];
  }
}
