import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { getQueryParams } from "hono/utils/url";
import type { KeyRing } from "./auth/keyring.js";
import type { AppEnv } from "./env.js";
import type { MountedOperation } from "./openapi.js";
import { noteReceived } from "./received.js";

/**
 * The operations the fast lane serves (issue 18): the Chat domain's, every one an authenticated
 * JSON route behind a fused guard (platform/guard.ts) with precompiled validation, and the token
 * exchange, an anonymous JSON route behind the same guard (without its authentication step).
 * Events (held requests, streams) and everything else stay on Hono.
 */
export const fastOperations: ReadonlySet<string> = new Set([
  "listConversations",
  "createConversation",
  "getConversation",
  "updateConversation",
  "listMembers",
  "addMember",
  "updateMember",
  "removeMember",
  "leaveConversation",
  "sendMessage",
  "listMessages",
  "getMessage",
  "editMessage",
  "deleteMessage",
  "markRead",
  "exchangeToken",
]);

/** What {@link attachFastLane} needs from `createApp`. */
export interface FastLaneParts {
  /** Every operation mounted by `mountDomain`; those in {@link fastOperations} are served. */
  operations: readonly MountedOperation[];
  /** The app-wide middleware `createApp` registered (`app.use`): the lane replicates exactly these. */
  appWide: readonly MiddlewareHandler<AppEnv>[];
  /** The request id / client address step of `requestContext`. */
  start: (c: Context<AppEnv>) => string;
  keys: KeyRing;
  /** The app's `onError`. */
  onError: (err: unknown, c: Context<AppEnv>) => Response;
}

/** The fast lane of one app: a Node request listener in front of @hono/node-server's. */
export interface FastLane {
  /** Serves the request and returns true, or returns false (untouched) for the normal listener. */
  serve(incoming: IncomingMessage, outgoing: ServerResponse): boolean;
  /**
   * Requests served / handed on so far (tests check the lane really ran), and bodies taken whole
   * from the stream's buffer ({@link FastRequest.bufferedText}).
   */
  readonly counts: { served: number; handedOn: number; bufferedBodies: number };
}

const lanes = new WeakMap<object, FastLane>();

/** The fast lane of `app`, or undefined (CORS configured, or an app not built by `createApp`). */
export function fastLaneOf(app: Hono<AppEnv>): FastLane | undefined {
  return lanes.get(app);
}

/**
 * `listener` with the fast lane of `app` in front: what it serves never reaches Hono, the rest
 * goes to `listener` (@hono/node-server's) untouched.
 */
export function withFastLane(app: Hono<AppEnv>, listener: RequestListener): RequestListener {
  const lane = fastLaneOf(app);
  // Every request is counted before any of its work runs (platform/received.ts): the SQLite
  // caches' shared freshness check relies on it.
  if (!lane) {
    return (incoming, outgoing) => {
      noteReceived();
      listener(incoming, outgoing);
    };
  }
  return (incoming, outgoing) => {
    noteReceived();
    if (!lane.serve(incoming, outgoing)) listener(incoming, outgoing);
  };
}

/**
 * A `createServer` for @hono/node-server's `serve()` that puts the fast lane of `app` in front of
 * the listener it builds: `serve({ fetch: app.fetch, createServer: fastLaneServer(app) })`.
 */
export function fastLaneServer(app: Hono<AppEnv>) {
  return ((options: ServerOptions, listener: RequestListener): Server =>
    createServer(options, withFastLane(app, listener))) as unknown as typeof createServer;
}

/** node-server's test of a host it can use as is (anything else goes through `new URL`). */
const plainHost = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
/** node-server's test of a request target it can use as is (no dot segments, no escapes). */
const plainTarget = /^\/[!#$&-;=?-[\]_a-z~]*$/;
const dotSegment = /\/\.\.?(?:[/?#]|$)/;
const decoder = new TextDecoder();

/** A response built by {@link FastContext}: what Hono's `c.json`/`c.body` would build. */
class FastResponse {
  constructor(
    readonly status: number,
    readonly body: string | null,
    readonly headers: Map<string, string>,
  ) {}
}

/** The part of Hono's request object the guard, validation and handlers use. */
class FastRequest {
  readonly bodyCache: Record<string, unknown> = {};
  #valid: Record<string, unknown> = {};
  #raw: { text(): Promise<string>; body: null } | undefined;
  constructor(
    readonly incoming: IncomingMessage,
    readonly method: string,
    readonly path: string,
    readonly url: string,
    readonly params: Record<string, string>,
    readonly counts: FastLane["counts"],
  ) {}
  header(name: string): string | undefined {
    const value = this.incoming.headers[name.toLowerCase()];
    return typeof value === "string" ? value : undefined;
  }
  param(): Record<string, string> {
    return this.params;
  }
  queries(): Record<string, string[]> {
    return getQueryParams(this.url) as Record<string, string[]>;
  }
  valid(target: string): unknown {
    return this.#valid[target];
  }
  addValidatedData(target: string, data: unknown): void {
    this.#valid[target] = data;
  }
  /**
   * The body, when it has arrived whole (Node's parser has seen its last byte, which for a small
   * body is in the same read as the headers): taken from the stream's buffer at once, decoded as
   * {@link readText} decodes it. Undefined when part of it is still to come, or it was touched.
   */
  bufferedText(): string | undefined {
    const incoming = this.incoming;
    if (!incoming.complete || this.#raw !== undefined || incoming.readableFlowing !== null) {
      return undefined;
    }
    const length = incoming.readableLength;
    const declared = Number(incoming.headers["content-length"]);
    if (length !== declared) return undefined;
    const chunk = incoming.read() as Buffer | null;
    if (chunk === null || chunk.length !== declared) {
      throw new Error("the buffered body could not be read whole");
    }
    this.counts.bufferedBodies++;
    return decoder.decode(chunk);
  }
  /** Only `text()` is used: the lane takes bodies with a Content-Length only (platform/body.ts). */
  get raw() {
    this.#raw ??= { text: () => readText(this.incoming), body: null };
    return this.#raw;
  }
}

/** The body as node-server's direct read decodes it (UTF-8, byte order mark dropped). */
function readText(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.once("end", () =>
      resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))),
    );
    incoming.once("error", reject);
    incoming.once("close", () => {
      if (!incoming.readableEnded) reject(new Error("Client connection prematurely closed."));
    });
  });
}

/**
 * The part of Hono's context the platform and the Chat handlers use, with Hono's semantics:
 * `header()` sets (or with `undefined` deletes) a response header; `json()`/`body()` build a
 * response from those headers plus their own, theirs winning.
 */
class FastContext {
  readonly env: { incoming: IncomingMessage; outgoing: ServerResponse };
  finalized = false;
  error: unknown;
  #vars = new Map<string, unknown>();
  #headers = new Map<string, string>();
  #res: FastResponse | undefined;
  constructor(
    readonly req: FastRequest,
    outgoing: ServerResponse,
  ) {
    this.env = { incoming: req.incoming, outgoing };
  }
  get(key: string): unknown {
    return this.#vars.get(key);
  }
  set(key: string, value: unknown): void {
    this.#vars.set(key, value);
  }
  get var(): Record<string, unknown> {
    return Object.fromEntries(this.#vars);
  }
  get res(): FastResponse | undefined {
    return this.#res;
  }
  set res(res: FastResponse) {
    this.#res = res;
    this.finalized = true;
  }
  header(name: string, value: string | undefined): void {
    const key = name.toLowerCase();
    if (value === undefined) this.#headers.delete(key);
    else this.#headers.set(key, value);
  }
  json(object: unknown, status?: number, headers?: Record<string, string>): FastResponse {
    return this.#respond(JSON.stringify(object), status, {
      "content-type": "application/json",
      ...headers,
    });
  }
  body(data: string | null, status?: number, headers?: Record<string, string>): FastResponse {
    return this.#respond(data, status, headers);
  }
  #respond(body: string | null, status = 200, headers?: Record<string, string>): FastResponse {
    const all = new Map(this.#headers);
    if (headers) for (const name in headers) all.set(name.toLowerCase(), headers[name] as string);
    return new FastResponse(status, body, all);
  }
}

type Step = (c: FastContext, next: () => Promise<unknown>) => unknown;

interface FastRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  chain: Step[];
  handler: (c: FastContext) => unknown;
}

/** `/a/{x}/b` → `^/a/([^/]+)/b$` (Hono's default parameter pattern) and the parameter names. */
function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      names.push(param[1] as string);
      return "([^/]+)";
    })
    .join("/");
  return { pattern: new RegExp(`^${source}$`), names };
}

/** Whether two Hono paths (`:param` style) could match one request path. */
function overlap(a: string, b: string): boolean {
  if (a === "*" || b === "*" || a.endsWith("/*") || b.endsWith("/*")) return true;
  const as = a.split("/");
  const bs = b.split("/");
  if (as.length !== bs.length) return false;
  return as.every((s, i) => s === bs[i] || s.startsWith(":") || (bs[i] as string).startsWith(":"));
}

/**
 * Builds the fast lane of `app` (called by `createApp`): a Node request listener step that serves
 * the hot authenticated JSON routes ({@link fastOperations}) in one pass, without Hono's router,
 * context and compose or node-server's Request/Response adaptation, and hands everything else
 * to the normal listener. It runs the very same code as the Hono path: the app-wide request
 * start (request id, client address), the route's guard (authentication, rate limit, body read,
 * storable text, idempotency), its precompiled validation, its handler and the app's `onError`,
 * against a minimal context with Hono's semantics ({@link FastContext}).
 *
 * Handed on untouched (the lane decides before reading anything): a method other than GET,
 * POST, PATCH, PUT or DELETE; a path of no fast operation, or one another route could also
 * match; a request target or Host node-server would rewrite (escapes, dot segments, absolute
 * form, upper case host); a repeated header line (node-server and Node join them differently;
 * this also leaves two Host lines to `singleHostHeader`); a body without a Content-Length or
 * with a Transfer-Encoding; keys not yet loaded. Keyed POSTs (`Idempotency-Key`, which the SDK
 * sends on every POST) are served: the guard's idempotency step works on the lane's context too.
 * The lane is not built when the app has app-wide middleware it does not know of.
 */
export function attachFastLane(app: Hono<AppEnv>, parts: FastLaneParts): void {
  const known = new Set<unknown>(parts.appWide);
  const routes = app.routes;
  const own = new Set<unknown>(parts.operations.flatMap((op) => [...op.middleware, op.handler]));
  for (const r of routes) {
    if (r.method === "ALL" && !known.has(r.handler)) return;
  }
  const byMethod = new Map<string, FastRoute[]>();
  for (const op of parts.operations) {
    if (!fastOperations.has(op.operationId)) continue;
    const honoPath = op.path.replace(/\{([^}]+)\}/g, ":$1");
    // Another route (or route-level middleware) that could match the same request: leave to Hono.
    const contested = routes.some(
      (r) =>
        !own.has(r.handler) &&
        !known.has(r.handler) &&
        (r.method === op.method || r.method === "ALL") &&
        overlap(r.path, honoPath),
    );
    if (contested) continue;
    const { pattern, names } = compile(op.path);
    const list = byMethod.get(op.method) ?? [];
    list.push({
      method: op.method,
      pattern,
      names,
      chain: op.middleware as unknown as Step[],
      handler: op.handler as unknown as FastRoute["handler"],
    });
    byMethod.set(op.method, list);
  }
  const start = parts.start as unknown as (c: FastContext) => string;
  const onError = parts.onError as unknown as (err: unknown, c: FastContext) => FastResponse;
  let keysLoaded = false;
  const counts = { served: 0, handedOn: 0, bufferedBodies: 0 };

  const match = (incoming: IncomingMessage): [FastRequest, FastRoute] | undefined => {
    const method = incoming.method as string;
    const candidates = byMethod.get(method);
    if (!candidates) return undefined;
    const target = incoming.url ?? "";
    if (!plainTarget.test(target) || dotSegment.test(target)) return undefined;
    if (target.includes("%") || target.includes("#")) return undefined;
    const headers = incoming.headers;
    const raw = incoming.rawHeaders;
    let count = 0;
    for (const _ in headers) count++;
    if (raw.length !== count * 2) return undefined;
    const host = headers.host;
    if (host === undefined || !plainHost.test(host)) return undefined;
    if (method !== "GET") {
      if (headers["content-length"] === undefined || headers["transfer-encoding"] !== undefined) {
        return undefined;
      }
    }
    if (!keysLoaded) {
      try {
        parts.keys.current();
        keysLoaded = true;
      } catch {
        return undefined;
      }
    }
    const query = target.indexOf("?");
    const path = query === -1 ? target : target.slice(0, query);
    for (const route of candidates) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < route.names.length; i++) {
        params[route.names[i] as string] = found[i + 1] as string;
      }
      const scheme = (incoming.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
      const url = `${scheme}://${host}${target}`;
      return [new FastRequest(incoming, method, path, url, params, counts), route];
    }
    return undefined;
  };

  /** Hono's compose for one route: the first response wins, an error becomes `onError`'s. */
  const dispatch = async (c: FastContext, route: FastRoute, i: number): Promise<void> => {
    let res: unknown;
    let isError = false;
    try {
      res =
        i < route.chain.length
          ? await (route.chain[i] as Step)(c, () => dispatch(c, route, i + 1))
          : await route.handler(c);
    } catch (err) {
      c.error = err;
      res = onError(err, c);
      isError = true;
    }
    if (res instanceof FastResponse && (!c.finalized || isError)) c.res = res;
  };

  const run = async (c: FastContext, route: FastRoute, outgoing: ServerResponse) => {
    try {
      try {
        start(c);
        await dispatch(c, route, 0);
      } catch (err) {
        c.res = onError(err, c);
      }
      write(outgoing, c.res as FastResponse);
    } catch (err) {
      // Only a fault of the error mapping itself gets here: node-server answers those with a
      // bare 500 (handleFetchError), and so does the lane.
      console.error(err);
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
    }
  };

  /** Requests received in this poll phase, run together in its check phase: see `serve`. */
  let received: [FastContext, FastRoute, ServerResponse][] = [];
  const runReceived = () => {
    const batch = received;
    received = [];
    for (const [c, route, outgoing] of batch) void run(c, route, outgoing);
  };

  const lane: FastLane = {
    counts,
    serve(incoming, outgoing) {
      const matched = match(incoming);
      if (matched === undefined) {
        counts.handedOn++;
        return false;
      }
      counts.served++;
      const c = new FastContext(matched[0], outgoing);
      // Requests start in the check phase of this event-loop turn, all together, after every
      // request of the poll phase was received: their first freshness check (the session's, a
      // page's) reads `PRAGMA data_version` once for the whole batch
      // (SqliteDatabase.sharedDataVersion), not once per request. Writes too: outside a
      // transaction that read costs a read transaction's locking (~9 % of a send's main-thread
      // time when each send read it). Their group commit then runs in the next turn's check
      // phase (SqliteDatabase.writeBatched), with every write of this batch in it.
      if (received.push([c, matched[1], outgoing]) === 1) setImmediate(runReceived);
      return true;
    },
  };
  lanes.set(app, lane);
}

/**
 * Writes `res` as @hono/node-server writes Hono's response: header names in lower case, in
 * `Headers` order (sorted), a `Content-Length` for a body, and node-server's default
 * Content-Type for a body without one.
 */
function write(outgoing: ServerResponse, res: FastResponse): void {
  const headers: Record<string, string | number> = {};
  for (const name of [...res.headers.keys()].sort()) {
    headers[name] = res.headers.get(name) as string;
  }
  if (res.body === null) {
    outgoing.writeHead(res.status, headers);
    outgoing.end();
    return;
  }
  headers["content-type"] ??= "text/plain; charset=UTF-8";
  headers["Content-Length"] = Buffer.byteLength(res.body);
  outgoing.writeHead(res.status, headers);
  outgoing.end(res.body);
}
