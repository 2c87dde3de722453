/**
 * The subset of OpenAPI 3.1 that the reference generator reads. Fields the generator never looks
 * at are left out on purpose: the bundled spec is the source, these types only describe how we read it.
 */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
  readOnly?: boolean;
  writeOnly?: boolean;
  deprecated?: boolean;
  "x-enum-descriptions"?: Record<string, string> | string[];
}

/** An `examples` entry of a media type or parameter. */
export interface ExampleObject {
  $ref?: string;
  summary?: string;
  description?: string;
  value?: unknown;
}

/** A request or response body for one media type. */
export interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, ExampleObject>;
}

/** A path, query, header or cookie parameter. */
export interface Parameter {
  $ref?: string;
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  deprecated?: boolean;
  schema?: Schema;
  example?: unknown;
}

/** A response header. */
export interface Header {
  $ref?: string;
  description?: string;
  required?: boolean;
  schema?: Schema;
}

/** A response for one status code. */
export interface ResponseObject {
  $ref?: string;
  description?: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

/** A request body. */
export interface RequestBody {
  $ref?: string;
  description?: string;
  required?: boolean;
  content?: Record<string, MediaType>;
}

/** One security requirement: scheme name to scopes. */
export type SecurityRequirement = Record<string, string[]>;

/** An operation as the spec describes it. */
export interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses?: Record<string, ResponseObject>;
  security?: SecurityRequirement[];
}

/** A security scheme of `components.securitySchemes`. */
export interface SecurityScheme {
  type: string;
  scheme?: string;
  bearerFormat?: string;
  description?: string;
  name?: string;
  in?: string;
}

/** The whole bundled document. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  tags?: { name: string; description?: string }[];
  security?: SecurityRequirement[];
  paths: Record<string, Record<string, unknown>>;
  components?: {
    schemas?: Record<string, Schema>;
    parameters?: Record<string, Parameter>;
    responses?: Record<string, ResponseObject>;
    headers?: Record<string, Header>;
    requestBodies?: Record<string, RequestBody>;
    examples?: Record<string, ExampleObject>;
    securitySchemes?: Record<string, SecurityScheme>;
  };
}

/** An operation with where it lives, as the pages list it. */
export interface LocatedOperation {
  id: string;
  method: string;
  path: string;
  tag: string;
  operation: Operation;
  /** Path-level parameters merged with the operation's own (operation wins). */
  parameters: Parameter[];
  /** Shared header parameters (`$ref`s such as `Idempotency-Key`), explained once in Conventions. */
  sharedHeaders: Parameter[];
}
