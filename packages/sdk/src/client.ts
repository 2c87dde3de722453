import createClient, { type Client, createQuerySerializer } from "openapi-fetch";
import { createAuth } from "./auth/create-auth.js";
import type { TokenStore } from "./auth/token-store.js";
import { type Clock, systemClock } from "./core/clock.js";
import { createDirectClient } from "./core/direct.js";
import { FluxraError } from "./core/error.js";
import { Emitter, type FluxraEvents } from "./core/events.js";
import { requestFactory } from "./core/request-input.js";
import { type CallOptions, createTransport } from "./core/transport.js";
import type { paths } from "./generated/schema.js";
import { publicOperations } from "./generated/security.js";
import { createResources, type Resources } from "./resources/index.js";

/** What a {@link CredentialsProvider} returns. */
export interface ProvidedToken {
  accessToken: string;
  /** Lifetime in seconds from now; without it the token is used until the server rejects it. */
  expiresIn?: number | undefined;
}

/** Your own source of access tokens (e.g. a secrets service); called when a token is needed. */
export type CredentialsProvider = (context: { signal: AbortSignal }) => Promise<ProvidedToken>;

/** Options of {@link createFluxraClient}. */
export interface FluxraClientOptions extends CallOptions {
  /** API origin (default `https://chat.tryfluxra.com`). */
  baseUrl?: string | undefined;
  /** An `fxk_…` api key: the client exchanges and refreshes access tokens itself. */
  apiKey?: string | undefined;
  /** A fixed access token (not renewed: a 401 surfaces as `AuthenticationError`). */
  accessToken?: string | undefined;
  /**
   * Your own token source, asked again whenever a token expires or is rejected (bounded by
   * `timeout`). Precedence when several are given: `apiKey`, then `credentials`, then `accessToken`.
   */
  credentials?: CredentialsProvider | undefined;
  /** A `fetch` to use (default `globalThis.fetch`), e.g. `(req) => app.fetch(req)` in tests. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Where api-key mode keeps its access token (default: in memory). */
  tokenStore?: TokenStore | undefined;
  /** Renew this long before expiry, in ms (default 60 000, at most half the lifetime). */
  refreshWindowMs?: number | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Time source overrides, for tests. */
  clock?: Partial<Clock> | undefined;
}

/** The raw typed openapi-fetch client: `GET/POST/PUT/PATCH/DELETE` return `{ data, error, response }`. */
export type RawClient = Client<paths>;

/** A Fluxra client: the raw typed calls plus throwing per-domain helpers and credential events. */
export type FluxraClient = RawClient &
  Resources & {
    /** Subscribes to `tokenRefreshed` / `authError`; returns the unsubscribe function. */
    on<E extends keyof FluxraEvents>(
      event: E,
      listener: (e: FluxraEvents[E]) => unknown,
    ): () => void;
    /**
     * A valid access token, obtained or renewed as needed (shared with in-flight calls), for
     * channels the client does not cover.
     * @throws {FluxraError} when the client has no credentials; {@link APIError} when renewal fails.
     */
    getAccessToken(options?: { signal?: AbortSignal | undefined }): Promise<string>;
  };

/**
 * openapi-fetch's default path serializer for the only style the spec uses (simple, one
 * primitive value per placeholder: `encodeURIComponent(value)`), without re-parsing every
 * placeholder's style on each call. Each path template is split into literal parts and parameter
 * names once; a call joins them (a regex `replace` with a callback per call cost ~2 µs).
 */
const compiledPaths = new Map<string, { literals: string[]; names: string[] }>();

export function pathSerializer(pathname: string, pathParams: Record<string, unknown>): string {
  let compiled = compiledPaths.get(pathname);
  if (!compiled) {
    const literals: string[] = [];
    const names: string[] = [];
    let last = 0;
    for (const m of pathname.matchAll(/\{([^{}]+)\}/g)) {
      literals.push(pathname.slice(last, m.index));
      names.push(m[1] as string);
      last = m.index + m[0].length;
    }
    literals.push(pathname.slice(last));
    compiled = { literals, names };
    // The templates are the spec's paths (a few dozen); a caller's raw `request(method, url)` with
    // ever-new URLs must not grow this without bound.
    if (compiledPaths.size < 1000) compiledPaths.set(pathname, compiled);
  }
  const { literals, names } = compiled;
  let out = literals[0] as string;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const value = pathParams?.[name];
    out +=
      value === undefined || value === null
        ? `{${name}}`
        : encodeURIComponent(value as string | number | boolean);
    out += literals[i + 1] as string;
  }
  return out;
}

function matcher(baseUrl: string): (method: string, url: string) => boolean {
  const basePath = new URL(baseUrl).pathname.replace(/\/$/, "");
  const patterns = publicOperations.map(
    (op) => new RegExp(`^${op.replace(/\{[^}]+\}/g, "[^/]+").replace(/\./g, "\\.")}$`),
  );
  // Every call asks: answer the common case (operations without path parameters, URLs built from
  // `baseUrl`) with a string slice and a Set lookup instead of parsing the URL.
  const literal = new Set(publicOperations.filter((op) => !op.includes("{")));
  const onlyLiterals = literal.size === publicOperations.length;
  const prefix = baseUrl.replace(/\/$/, "");
  return (method, url) => {
    if (onlyLiterals && url.startsWith(prefix) && url.charAt(prefix.length) === "/") {
      const query = url.indexOf("?");
      const fragment = url.indexOf("#");
      const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment);
      const path = end === -1 ? url.slice(prefix.length) : url.slice(prefix.length, end);
      return literal.has(`${method} ${path}`);
    }
    const path = new URL(url).pathname.slice(basePath.length);
    return patterns.some((re) => re.test(`${method} ${path}`));
  };
}

/**
 * Creates a client. With `apiKey` it exchanges the key for an access token on first use, renews it
 * before expiry, and on a 401 `token_expired`/`session_revoked` renews and retries once.
 *
 * @example
 * const client = createFluxraClient({ apiKey: process.env.FLUXRA_API_KEY });
 * const me = await client.agents.me();
 */
export function createFluxraClient(options: FluxraClientOptions = {}): FluxraClient {
  const baseUrl = options.baseUrl ?? "https://chat.tryfluxra.com";
  const clock: Clock = { ...systemClock, ...options.clock };
  const emitter = new Emitter();
  // `direct` is created below; the credential code only calls it once requests are made.
  const auth = createAuth(options, { clock, emitter, raw: () => direct });
  const requests = requestFactory();
  const transport = createTransport({
    fetch: options.fetch,
    clock,
    defaults: {
      maxRetries: options.maxRetries ?? 2,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      timeout: options.timeout ?? 60_000,
      deadline: options.deadline,
    },
    auth,
    isPublic: matcher(baseUrl),
  });
  // openapi-fetch's own default, built once: without it, one is built on every call.
  const querySerializer = createQuerySerializer();
  const raw = createClient<paths>({
    baseUrl,
    pathSerializer,
    querySerializer,
    Request: requests.Request,
    fetch: transport as (request: Request) => Promise<Response>,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  // The helpers' and the credential code's calls skip openapi-fetch until middleware is registered.
  let middleware = false;
  const direct = createDirectClient({
    raw,
    baseUrl,
    headers: options.headers,
    pathSerializer,
    querySerializer,
    transport,
    viaRaw: () => middleware,
  });

  // Middleware may use the whole `Request` API: from the first `use()` on, build real ones, and
  // send the helpers' calls through openapi-fetch so the middleware sees them.
  const use = raw.use.bind(raw);
  return Object.assign(raw, createResources(raw, direct), {
    use: ((...list) => {
      requests.useReal();
      middleware = true;
      use(...list);
    }) as RawClient["use"],
    on: emitter.on.bind(emitter) as FluxraClient["on"],
    async getAccessToken(opts: { signal?: AbortSignal | undefined } = {}) {
      if (!auth) throw new FluxraError("This client has no credentials.");
      return auth.getToken(opts.signal ?? new AbortController().signal);
    },
  });
}
