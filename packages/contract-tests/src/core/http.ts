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
  /** Send with plain fetch even without `rawBody` (e.g. a POST with no body and no Content-Type). */
  raw?: boolean;
}

/** The part of openapi-fetch's `client.request` the suite uses (paths are already filled in). */
type SdkRequest = (
  method: string,
  path: string,
  init: {
    params?: { query?: Record<string, unknown> };
    body?: unknown;
    headers?: Record<string, string>;
    parseAs?: "text";
  },
) => Promise<{ response: Response }>;

/**
 * HTTP for checks. Well-formed requests go through `@fluxra/sdk`'s raw client (dogfooding its
 * transport: query serialisation, JSON bodies, headers); requests that need exact bytes (`rawBody`,
 * or `raw: true`) go through plain fetch. Every response is validated and recorded either way.
 */
export class Http {
  constructor(
    private readonly baseUrl: string,
    private readonly recorder: Recorder,
    private readonly inner: FetchLike,
    private readonly sdkRequest: SdkRequest,
  ) {}

  /** Sends one request and returns the recorded response. */
  async req(spec: RequestSpec): Promise<Res> {
    if (spec.rawBody === undefined && !spec.raw) return this.viaSdk(spec);
    return this.viaFetch(spec);
  }

  private async viaSdk(spec: RequestSpec): Promise<Res> {
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.auth !== undefined) headers["authorization"] = `Bearer ${spec.auth}`;
    const query = Object.fromEntries(
      Object.entries(spec.query ?? {}).filter(([, v]) => v !== undefined),
    );
    const { response } = await this.sdkRequest(spec.method.toLowerCase(), spec.path, {
      params: { query },
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      headers,
      parseAs: "text",
    });
    const exchange = this.recorder.exchangeOf(response);
    if (!exchange) throw new Error("the SDK returned a response the recorder did not see");
    return toRes(exchange);
  }

  private async viaFetch(spec: RequestSpec): Promise<Res> {
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
