import createClient, { type Client, createQuerySerializer } from "openapi-fetch";
import { createAuth } from "./auth/create-auth.js";
import type { TokenStore } from "./auth/token-store.js";
import { type Clock, systemClock } from "./core/clock.js";
import { createDirectClient } from "./core/direct.js";
import { FluxraError } from "./core/error.js";
import { Emitter, type FluxraEvents } from "./core/events.js";
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
const compiledPaths = new Map<string, string[]>();

export function pathSerializer(pathname: string, pathParams: Record<string, unknown>): string {
  // Literals at even indexes, placeholder names at odd ones.
  let parts = compiledPaths.get(pathname);
  if (!parts) {
    parts = pathname.split(/\{([^{}]+)\}/);
    // The templates are the spec's paths (a few dozen); a caller's raw `request(method, url)` with
    // ever-new URLs must not grow this without bound.
    if (compiledPaths.size < 1000) compiledPaths.set(pathname, parts);
  }
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    const value = pathParams?.[name];
    out += value == null ? `{${name}}` : encodeURIComponent(value as string | number | boolean);
    out += parts[i + 1];
  }
  return out;
}

/**
 * The `Request` openapi-fetch builds: a real one, marked half-duplex when its body is a stream (a
 * custom `bodySerializer`), which Node's `Request` requires. `instanceof` accepts any `Request`, as
 * openapi-fetch checks middleware results against it.
 */
function SendableRequest(url: string, init: RequestInit) {
  return new Request(
    url,
    init.body instanceof ReadableStream ? ({ ...init, duplex: "half" } as RequestInit) : init,
  );
}
Object.defineProperty(SendableRequest, Symbol.hasInstance, {
  value: (value: unknown) => value instanceof Request,
});

function matcher(baseUrl: string): (method: string, url: string) => boolean {
  const basePath = new URL(baseUrl).pathname.replace(/\/$/, "");
  const patterns = publicOperations.map(
    (op) => new RegExp(`^${op.replace(/\{[^}]+\}/g, "[^/]+").replace(/\./g, "\\.")}$`),
  );
  // Only calls built by openapi-fetch ask (a direct call knows its operation, see direct.ts).
  return (method, url) => {
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
  // `raw` is created below; the credential code only calls it once requests are made.
  const auth = createAuth(options, { clock, emitter, raw: () => raw });
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
    Request: SendableRequest as unknown as typeof Request,
    fetch: transport as (request: Request) => Promise<Response>,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  // `GET`/`POST`/… (and so every helper) skip openapi-fetch's per-call work while no middleware is
  // registered and the call uses nothing but path/query parameters, a JSON body, headers, a signal
  // and `fluxra`; anything else, and every call once middleware is registered, goes through it.
  let middleware = false;
  Object.assign(
    raw,
    createDirectClient({
      raw,
      baseUrl,
      headers: options.headers,
      pathSerializer,
      querySerializer,
      transport,
      viaRaw: () => middleware,
    }),
  );
  const use = raw.use.bind(raw);
  return Object.assign(raw, createResources(raw), {
    use: ((...list) => {
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
