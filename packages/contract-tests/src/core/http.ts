import type { Exchange } from "./exchange.js";
import { parseJson } from "./exchange.js";
import type { FetchLike, Recorder } from "./recorder.js";

/**
 * Any JSON body. Checks read server answers field by field; the spec validator is what types them.
 */
// biome-ignore lint/suspicious/noExplicitAny: bodies are arbitrary server output, checked by ajv.
export type Json = any;

/** A response as checks see it. */
export interface Res {
  status: number;
  /** Header value by lower- or mixed-case name. */
  header(name: string): string | undefined;
  text: string;
  /** The parsed body (undefined when empty or not JSON). */
  json: Json;
  /** `error.code` of an error envelope, if any. */
  errorCode: string | undefined;
  exchange: Exchange;
}

/** What a check asks {@link Http.req} to send. */
export interface RequestSpec {
  method: string;
  /** Path under the base URL, e.g. `/api/agents/me`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialised as JSON. */
  body?: unknown;
  /** Sent as-is (for malformed or oversized bodies); a stream is sent chunked. */
  rawBody?: string | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** A bearer credential (access token, api key or recovery key). */
  auth?: string | undefined;
}

/** Raw HTTP for checks that need exact or malformed requests; every response is validated. */
export class Http {
  constructor(
    private readonly baseUrl: string,
    private readonly recorder: Recorder,
    private readonly inner: FetchLike,
  ) {}

  /** Sends one request and returns the recorded response. */
  async req(spec: RequestSpec): Promise<Res> {
    const url = new URL(this.baseUrl.replace(/\/$/, "") + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers = new Headers(spec.headers);
    if (spec.auth !== undefined) headers.set("authorization", `Bearer ${spec.auth}`);
    let body: string | ReadableStream<Uint8Array> | undefined = spec.rawBody;
    if (spec.body !== undefined) body = JSON.stringify(spec.body);
    if (body !== undefined && !headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    const init: RequestInit & { duplex?: "half" } = { method: spec.method, headers };
    if (body !== undefined) init.body = body;
    if (body instanceof ReadableStream) init.duplex = "half";
    const { exchange } = await this.recorder.send(this.inner, new Request(url, init));
    return toRes(exchange);
  }
}

/** Wraps a recorded exchange for checks. */
export function toRes(exchange: Exchange): Res {
  const json = parseJson(exchange.response.body);
  const code = (json as { error?: { code?: unknown } } | undefined)?.error?.code;
  return {
    status: exchange.response.status,
    header: (name) => exchange.response.headers[name.toLowerCase()],
    text: exchange.response.body,
    json,
    errorCode: typeof code === "string" ? code : undefined,
    exchange,
  };
}
