import type { RawClient } from "../client.js";
import { publicOperations } from "../generated/security.js";

/** {@link DirectInput.as}: the transport answers with openapi-fetch's `{ data, error, response }`… */
export const AS_RESULT = 1;
/** …or with the data alone, throwing the status's `APIError` (what `unwrap` makes of a result). */
export const AS_DATA = 2;

/**
 * What a direct call sends: the URL, method, headers (a plain object, lower-case names) and
 * serialised body, built without openapi-fetch. The transport sends it as `fetch(url, init)` (or
 * one `Request` per attempt with the user's `fetch`) and reads the answer as {@link as} says.
 */
export class DirectInput {
  /** What the transport resolves with: {@link AS_RESULT}, or {@link AS_DATA} once claimed. */
  as = AS_RESULT;
  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Record<string, string>,
    readonly body: string | undefined,
    readonly signal: AbortSignal | undefined,
    readonly fluxra: object | undefined,
    /** An operation that takes no credentials (`security: []`). */
    readonly open: boolean,
  ) {}
}

/**
 * The promise and input of the direct call made last, until `unwrap` claims them (see
 * {@link claimData}). A helper's `unwrap(raw.GET(…))` runs right after the call returns, with
 * nothing in between, so the helper's own call is always the last one. A raw call is never
 * claimed: it stays here (its promise, and its input with the bearer header) until the next call
 * replaces it, and resolves with `{ data, error, response }` as openapi-fetch's would.
 */
let lastCall: Promise<unknown> | undefined;
let lastInput: DirectInput | undefined;

/**
 * Whether `result` is the promise of the direct call just made; if so, that call now resolves with
 * its data instead of `{ data, error, response }` (and rejects with the typed error), so a helper
 * needs no layer of its own between the transport and the caller. The transport reads the mode
 * only once the response is in, always after this runs.
 */
export function claimData(result: Promise<unknown>): boolean {
  if (result !== lastCall) return false;
  (lastInput as DirectInput).as = AS_DATA;
  lastCall = lastInput = undefined;
  return true;
}

/** The part of an openapi-fetch init a direct call understands (see `toInit` in call.ts). */
interface Init {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
  body?: unknown;
  headers?: Record<string, unknown>;
  signal?: AbortSignal;
  fluxra?: object;
}

type Method = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
type Result = { data?: unknown; error?: unknown; response: Response };
type Call = (path: string, init?: Init) => Promise<Result>;

const KNOWN = new Set(["params", "body", "headers", "signal", "fluxra"]);
const METHODS: Method[] = ["GET", "PUT", "POST", "DELETE", "PATCH"];

/**
 * `GET/POST/PUT/PATCH/DELETE(path, init)` with openapi-fetch's results (`{ data, error, response }`),
 * built without openapi-fetch's per-call work (a `Headers` merged twice, a `Request`, the
 * middleware walk) whenever that work would change nothing: no middleware registered, and a call
 * that uses only path/query parameters, a JSON body, string headers, a signal and `fluxra`.
 * Anything else goes to openapi-fetch's own method unchanged. URL and query serialisation, header
 * merging and response parsing follow openapi-fetch 0.17's defaults; direct.test.ts checks both
 * paths put the same bytes on the wire and return the same results.
 */
export function createDirectClient(config: {
  raw: RawClient;
  baseUrl: string;
  /** The client's `headers` option. */
  headers: Record<string, string> | undefined;
  pathSerializer: (pathname: string, params: Record<string, unknown>) => string;
  querySerializer: (query: Record<string, unknown>) => string;
  transport: (input: DirectInput) => Promise<unknown>;
  /** Whether openapi-fetch must run every call (middleware registered). */
  viaRaw: () => boolean;
}): Pick<RawClient, Method> {
  const { pathSerializer, querySerializer, transport, viaRaw } = config;
  // openapi-fetch's own calls, kept before these replace them on the client.
  const raw = { ...config.raw } as unknown as Record<Method, Call>;
  const baseUrl = config.baseUrl.replace(/\/$/, "");
  const base = mergeInto({}, config.headers);
  // A body goes through openapi-fetch when a content type is set: its serialiser may form-encode.
  const typed = base["content-type"] !== undefined;
  const out = {} as Record<Method, Call>;
  for (const method of METHODS) {
    // Looked up by the caller's own path template: a string literal, whose hash V8 keeps. A key
    // built per call (`${method} ${path}`, `${baseUrl}${path}`) is hashed afresh each time: ~1 µs.
    const open = new Set(
      publicOperations
        .filter((op) => op.startsWith(`${method} `))
        .map((op) => op.slice(method.length + 1)),
    );
    out[method] = (path, init = {}) => {
      if (viaRaw() || !direct(init, typed)) return raw[method](path, init);
      const body = init.body;
      // openapi-fetch's `createFinalURL`, with the path template serialised before the base URL
      // is put in front (see above), and no query serialiser run for an empty query.
      const { path: values, query } = init.params ?? {};
      let url = baseUrl + (values ? pathSerializer(path, values) : path);
      for (const _ in query) {
        const search = querySerializer(query as Record<string, unknown>).replace(/^\?/, "");
        if (search) url += `?${search}`;
        break;
      }
      const json = body === undefined ? undefined : JSON.stringify(body);
      const headers = mergeInto(
        json === undefined ? {} : { "content-type": "application/json" },
        base,
        init.headers,
      );
      const input = new DirectInput(
        url,
        method,
        headers,
        json,
        init.signal,
        init.fluxra,
        open.has(path),
      );
      // After the transport's synchronous start, which may make a call of its own (a token
      // exchange): this call is the last one when the caller's `unwrap` looks.
      lastCall = transport(input);
      lastInput = input;
      return lastCall as Promise<Result>;
    };
  }
  return out as unknown as Pick<RawClient, Method>;
}

/** Whether `init` can skip openapi-fetch: only known keys, string headers, a plain JSON body. */
function direct(init: Init, typed: boolean): boolean {
  for (const key in init) if (!KNOWN.has(key)) return false;
  for (const key in init.params) if (key !== "path" && key !== "query") return false;
  const body = init.body !== undefined;
  if (body && (typed || (typeof FormData !== "undefined" && init.body instanceof FormData))) {
    return false;
  }
  for (const key in init.headers) {
    const value = init.headers[key];
    if (value != null && typeof value !== "string") return false;
    if (body && key.toLowerCase() === "content-type") return false;
  }
  return true;
}

/**
 * openapi-fetch's `mergeHeaders` for string values, lower-cased: later wins, `null` deletes. Two
 * fixed sources, not a rest parameter: no array per call.
 */
function mergeInto(
  into: Record<string, string>,
  first: Record<string, unknown> | undefined,
  second?: Record<string, unknown>,
): Record<string, string> {
  mergeOne(into, first);
  mergeOne(into, second);
  return into;
}

function mergeOne(into: Record<string, string>, from: Record<string, unknown> | undefined): void {
  for (const key in from) {
    const value = from[key];
    if (value === null) delete into[key.toLowerCase()];
    else if (value !== undefined) into[key.toLowerCase()] = value as string;
  }
}
