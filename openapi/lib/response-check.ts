/**
 * The one response checker: does a response conform to the operation the spec gives its request
 * (status declared, declared headers present and valid, body of the declared schema, JSON
 * content type)? It reports structured findings; the server's test validator turns them into
 * messages, the contract suite files them under its rules.
 */
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { deref, listOperations, pointerEscape, type SpecOperation } from "./spec-walk.js";

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** A response as the checker sees it. */
export interface CheckedResponse {
  /** The request's method (any case) and path (no query string). */
  method: string;
  path: string;
  status: number;
  /** A response header by lowercase name, undefined when absent. */
  header(name: string): string | undefined;
  /** The raw body text ("" when empty). */
  body: string;
}

/** One way a response departs from the spec; `pointer` is where the spec says otherwise. */
export type Finding<Op extends SpecOperation = SpecOperation> =
  | { kind: "unrouted"; expected: 404 | 405; pointer: string }
  | { kind: "undeclared-status"; op: Op; declared: string[]; pointer: string }
  | { kind: "header-missing"; op: Op; name: string; pointer: string }
  | {
      kind: "header-invalid";
      op: Op;
      name: string;
      value: string;
      errors: unknown[];
      pointer: string;
    }
  | { kind: "unexpected-body"; op: Op; pointer: string }
  | { kind: "content-type"; op: Op | undefined; isError: boolean; value: string; pointer: string }
  | { kind: "body-not-json"; op: Op | undefined; isError: boolean; pointer: string }
  | {
      kind: "body-invalid";
      op: Op | undefined;
      isError: boolean;
      errors: unknown[];
      pointer: string;
    };

/** The spec's shared error envelope. */
const errorSchema = "/components/schemas/Error";

/** Checks responses against one OpenAPI 3.1 document (ajv, JSON Schema 2020-12 + formats). */
export class ResponseChecker<Op extends SpecOperation = SpecOperation> {
  private readonly ajv: InstanceType<typeof Ajv2020.default>;
  private readonly compiled = new Map<string, Validate>();
  /** Every operation of the document. */
  readonly operations: Op[];

  constructor(
    readonly doc: unknown,
    /** Adds fields to each operation entry (e.g. the contract suite's domain and rule id). */
    extend: (op: SpecOperation) => Op = (op) => op as Op,
  ) {
    this.ajv = new Ajv2020.default({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(this.ajv);
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Math.abs(n) < 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(doc as object, "spec");
    this.operations = listOperations(doc).map(extend);
  }

  /** The operation answering `method path` (any method case; path without query), or undefined. */
  findOperation(method: string, path: string): Op | undefined {
    const m = method.toLowerCase();
    return this.operations
      .filter((op) => op.method === m && op.pattern.test(path))
      .sort((a, b) => a.params - b.params)[0];
  }

  /** ajv's text for `errors`, naming the data `dataVar`. */
  errorsText(errors: unknown[], dataVar = "data"): string {
    return this.ajv.errorsText(errors as never, { dataVar });
  }

  /** Every finding for `res` (empty when it conforms). */
  check(res: CheckedResponse): Finding<Op>[] {
    const op = this.findOperation(res.method, res.path);
    if (!op) {
      const expected = this.operations.some((o) => o.pattern.test(res.path)) ? 405 : 404;
      const out: Finding<Op>[] =
        res.status === expected ? [] : [{ kind: "unrouted", expected, pointer: "/paths" }];
      return [...out, ...this.checkBody(res, errorSchema, true, undefined)];
    }
    const base = `/paths/${pointerEscape(op.path)}/${op.method}/responses`;
    const declared = op.operation.responses as Record<string, { $ref?: string }>;
    const key = String(res.status) in declared ? String(res.status) : "default";
    const raw = declared[key];
    if (raw === undefined) {
      const out: Finding<Op>[] = [
        { kind: "undeclared-status", op, declared: Object.keys(declared), pointer: base },
      ];
      return res.status >= 400 ? [...out, ...this.checkBody(res, errorSchema, true, op)] : out;
    }
    const pointer = raw.$ref ? raw.$ref.slice(1) : `${base}/${key}`;
    const response = deref<{
      headers?: Record<string, unknown>;
      content?: Record<string, unknown>;
    }>(this.doc, raw);
    const out: Finding<Op>[] = [];
    for (const [name, headerRef] of Object.entries(response.headers ?? {})) {
      const ref = (headerRef as { $ref?: unknown }).$ref;
      const headerPointer =
        typeof ref === "string" ? ref.slice(1) : `${pointer}/headers/${pointerEscape(name)}`;
      const finding = this.checkHeader(res, op, name, headerRef, headerPointer);
      if (finding) out.push(finding);
    }
    const type = res.header("content-type") ?? "";
    if (response.content?.["text/event-stream"] && /^text\/event-stream\b/i.test(type)) {
      // A Server-Sent Events stream (the event feed) has no JSON body to validate here; its
      // framing is checked by the feed's own tests.
      return out;
    }
    if (response.content?.["application/json"]) {
      const schema = `${pointer}/content/application~1json/schema`;
      out.push(...this.checkBody(res, schema, res.status >= 400, op));
    } else if (res.body !== "") {
      out.push({ kind: "unexpected-body", op, pointer });
    }
    return out;
  }

  private checkHeader(
    res: CheckedResponse,
    op: Op,
    name: string,
    headerRef: unknown,
    pointer: string,
  ): Finding<Op> | undefined {
    const header = deref<{ required?: boolean; schema?: unknown }>(this.doc, headerRef);
    const value = res.header(name.toLowerCase());
    if (value === undefined) {
      return header.required ? { kind: "header-missing", op, name, pointer } : undefined;
    }
    const schema = deref<{ type?: string }>(this.doc, header.schema);
    const numeric = schema.type === "integer" || schema.type === "number";
    const data = numeric && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    const validate = this.validator(`${pointer}/schema`);
    if (validate(data)) return undefined;
    return { kind: "header-invalid", op, name, value, errors: validate.errors ?? [], pointer };
  }

  private checkBody(
    res: CheckedResponse,
    pointer: string,
    isError: boolean,
    op: Op | undefined,
  ): Finding<Op>[] {
    const out: Finding<Op>[] = [];
    const type = res.header("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      out.push({ kind: "content-type", op, isError, value: type, pointer });
    }
    let data: unknown;
    try {
      data = JSON.parse(res.body);
    } catch {
      return [...out, { kind: "body-not-json", op, isError, pointer }];
    }
    const validate = this.validator(pointer);
    if (!validate(data)) {
      out.push({ kind: "body-invalid", op, isError, errors: validate.errors ?? [], pointer });
    }
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
