import type { RawClient } from "../client.js";

/**
 * What the helpers send when no middleware is registered: the URL, method, headers (a plain
 * object with lower-case names) and serialised body, built here without openapi-fetch. The
 * transport sends it as `fetch(url, init)` (or one `Request` per attempt with the user's `fetch`).
 */
export class DirectInput {
  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Record<string, string>,
    readonly body: string | undefined,
    readonly signal: AbortSignal | undefined,
    readonly fluxra: object | undefined,
  ) {}
}

/** The part of an openapi-fetch init the helpers pass (see `toInit` in call.ts). */
interface HelperInit {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
  body?: unknown;
  headers?: Record<string, string | undefined | null>;
  signal?: AbortSignal;
  fluxra?: object;
  [other: string]: unknown;
}

type Method = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
type Result = { data?: unknown; error?: unknown; response: Response };

/** The init keys {@link createDirectClient} understands; anything else goes through openapi-fetch. */
const KNOWN = new Set(["params", "body", "headers", "signal", "fluxra"]);

/**
 * The helpers' view of the raw client: `GET/POST/PUT/PATCH/DELETE(path, init)` with openapi-fetch's
 * results (`{ data, error, response }`), built without openapi-fetch's per-call work (a `Headers`
 * merged twice, a `Request`-shaped object, the middleware walk) whenever that work would not
 * change anything: no middleware registered (`client.use`), a JSON body, only the init keys the
 * helpers use. Anything else is handed to the real openapi-fetch client unchanged, so behaviour is
 * the same either way (URL and query serialisation, header merging, body and response parsing
 * follow openapi-fetch 0.17's defaults; the SDK's own tests run both paths).
 */
export function createDirectClient(config: {
  raw: RawClient;
  baseUrl: string;
  /** The client's `headers` option. */
  headers: Record<string, string> | undefined;
  pathSerializer: (pathname: string, params: Record<string, unknown>) => string;
  querySerializer: (query: Record<string, unknown>) => string;
  transport: (input: DirectInput) => Promise<Response>;
  /** Whether openapi-fetch must run the call (middleware registered). */
  viaRaw: () => boolean;
}): RawClient {
  const { raw, pathSerializer, querySerializer, transport, viaRaw } = config;
  const baseUrl = config.baseUrl.endsWith("/") ? config.baseUrl.slice(0, -1) : config.baseUrl;
  // The client's headers, lower-cased once; `null` values delete, as in openapi-fetch.
  const base: Record<string, string> = Object.create(null);
  mergeInto(base, config.headers);
  const baseHasKeys = Object.keys(base).length > 0;
  const formContentType =
    base["content-type"] !== undefined && base["content-type"] !== "application/json";

  const call = (method: Method, path: string, init: HelperInit | undefined): Promise<Result> => {
    if (!init) init = {};
    if (viaRaw() || !directable(init, formContentType)) {
      return (raw[method] as (p: string, i: unknown) => Promise<Result>)(path, init);
    }
    const params = init.params;
    let url = baseUrl + path;
    if (params?.path) url = pathSerializer(url, params.path);
    const query = params?.query;
    if (query) {
      let any = false;
      for (const key in query) {
        if (query[key] !== undefined) {
          any = true;
          break;
        }
      }
      if (any) {
        let search = querySerializer(query);
        if (search.startsWith("?")) search = search.substring(1);
        if (search) url += `?${search}`;
      }
    }
    // A plain literal: a null-prototype object is a dictionary-mode object that fetch reads slower.
    const headers: Record<string, string> = {};
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    if (baseHasKeys) Object.assign(headers, base);
    if (init.headers) mergeInto(headers, init.headers);
    return transport(new DirectInput(url, method, headers, body, init.signal, init.fluxra)).then(
      (response) => parse(response, method),
    );
  };

  return {
    ...raw,
    GET: (path: string, init?: HelperInit) => call("GET", path, init),
    PUT: (path: string, init?: HelperInit) => call("PUT", path, init),
    POST: (path: string, init?: HelperInit) => call("POST", path, init),
    DELETE: (path: string, init?: HelperInit) => call("DELETE", path, init),
    PATCH: (path: string, init?: HelperInit) => call("PATCH", path, init),
  } as unknown as RawClient;
}

/**
 * Only plain JSON bodies, string header values and the helpers' own init keys take the direct
 * path; `formContentType` says the client's own headers ask for a non-JSON body.
 */
function directable(init: HelperInit, formContentType: boolean): boolean {
  for (const key in init) if (!KNOWN.has(key)) return false;
  const params = init.params;
  if (params) for (const key in params) if (key !== "path" && key !== "query") return false;
  const body = init.body;
  if (body !== undefined) {
    if (formContentType) return false;
    if (typeof FormData !== "undefined" && body instanceof FormData) return false;
  }
  const headers = init.headers;
  if (headers) {
    for (const key in headers) {
      const value = headers[key];
      if (value !== undefined && value !== null && typeof value !== "string") return false;
      // openapi-fetch's default body serialiser form-encodes for another content type.
      if (
        body !== undefined &&
        key.toLowerCase() === "content-type" &&
        value !== "application/json"
      ) {
        return false;
      }
    }
  }
  return true;
}

/** openapi-fetch's `mergeHeaders` for string values: later sources win, `null` deletes. */
function mergeInto(
  into: Record<string, string>,
  from: Record<string, string | undefined | null> | undefined,
): void {
  if (!from) return;
  for (const key in from) {
    const value = from[key];
    const name = key.toLowerCase();
    if (value === null) delete into[name];
    else if (value !== undefined) into[name] = String(value);
  }
}

/** openapi-fetch's response handling with its default `parseAs: "json"`. */
async function parse(response: Response, method: string): Promise<Result> {
  const contentLength = response.headers.get("Content-Length");
  if (
    response.status === 204 ||
    method === "HEAD" ||
    (contentLength === "0" && !response.headers.get("Transfer-Encoding")?.includes("chunked"))
  ) {
    return response.ok ? { data: undefined, response } : { error: undefined, response };
  }
  if (response.ok) {
    if (!contentLength) {
      const text = await response.text();
      return { data: text ? JSON.parse(text) : undefined, response };
    }
    return { data: await response.json(), response };
  }
  let error: unknown = await response.text();
  try {
    error = JSON.parse(error as string);
  } catch {
    // Not JSON: the text as is.
  }
  return { error, response };
}
