import type { Clock } from "./clock.js";
import { abortReason, ConnectionCanceller, fetchAborter } from "./connection.js";
import { AS_RESULT, DirectInput } from "./direct.js";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  retryAfterMs,
} from "./error.js";
import { redact } from "./redact.js";
import { backoffMs, isRetryableResponse, type RetryOptions } from "./retry.js";
import { type Aborter, callAborter } from "./signals.js";

/** Per-call settings; pass them as `fluxra` in the init of a raw call or as a helper's options. */
export interface CallOptions extends RetryOptions {
  /** Per-attempt timeout in ms (default 60 000). */
  timeout?: number | undefined;
  /** Overall budget for the call in ms, across retries and credential refreshes (default none). */
  deadline?: number | undefined;
}

/** The credential side of the transport, implemented by the token manager. */
export interface AuthProvider {
  /** A usable access token (may exchange or refresh first). */
  getToken(signal: AbortSignal): Promise<string>;
  /**
   * The token `getToken` would resolve with at once, if it needs no renewal now: lets a call skip
   * a turn of the microtask queue. `undefined` means "ask `getToken`".
   */
  freshToken?(): string | undefined;
  /** Forgets `token` if it is still the current one. */
  invalidate(token: string): void;
  /** Whether a rejected token can be replaced (false for a fixed access token). */
  readonly renewable: boolean;
}

/** Everything the transport needs; built by `createFluxraClient`. */
export interface TransportConfig {
  /** The user's `fetch`, given a `Request`; without one, `globalThis.fetch(url, init)` is used. */
  fetch: ((request: Request) => Promise<Response>) | undefined;
  clock: Clock;
  defaults: {
    maxRetries: number;
    maxRetryAfterMs: number;
    timeout: number;
    deadline: number | undefined;
  };
  auth: AuthProvider | undefined;
  /** Whether a request needs no credentials (registration, token exchange, …). */
  isPublic: (method: string, url: string) => boolean;
}

/**
 * A random (v4) UUID for `Idempotency-Key`. `crypto.randomUUID` exists only in secure contexts in
 * browsers (https, or http on localhost): a page served over plain http from any other host would
 * otherwise fail every POST. `crypto.getRandomValues` works everywhere.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const TIMEOUT = Symbol("timeout");
const DEADLINE = Symbol("deadline");
const RENEW_CODES = new Set(["token_expired", "session_revoked"]);

/** The error code of an error envelope, read from a clone so the response stays unread. */
async function peekBody(response: Response): Promise<unknown> {
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}

/**
 * The sender of every call: a `Request` (openapi-fetch's) resolves with the `Response`; a
 * {@link DirectInput} with what its `as` asks for.
 */
export type Transport = (input: Request | DirectInput) => Promise<unknown>;

/** Per-attempt sender: the call's URL, init and body, with this attempt's headers and aborter. */
type Attempt = (headers: Record<string, string>, aborter: Aborter) => Promise<Response>;

/**
 * How to send `input` once per attempt. A {@link DirectInput} (the normal case) keeps its
 * serialised body, which can be sent again as is: no `Request` is built at all with the default
 * `fetch`, one per attempt with the user's. A real `Request` (built by openapi-fetch: middleware,
 * custom serialisers, `parseAs`) has its body read once and each attempt is a copy carrying those
 * bytes (`Request.clone()` tees a stream: ~0.2 ms per POST on Node 20).
 */
function attempts(
  input: Request | DirectInput,
  send: TransportConfig["fetch"],
): Attempt | Promise<Attempt> {
  if (input instanceof DirectInput) {
    const { url, method } = input;
    const body = input.body ?? null;
    if (send) {
      return (headers, { signal }) => send(new Request(url, { method, body, headers, signal }));
    }
    // A bodiless GET is sent as raw `fetch(url, { headers })` is: an init without `method` and
    // `body`, so undici's `Request` skips the method's conversion, token check and normalisation.
    if (method === "GET" && body === null) {
      return (headers, aborter) =>
        aborter instanceof ConnectionCanceller
          ? aborter.send(url, { headers })
          : globalThis.fetch(url, { headers, signal: aborter.signal });
    }
    return (headers, aborter) =>
      aborter instanceof ConnectionCanceller
        ? aborter.send(url, { method, body, headers })
        : globalThis.fetch(url, { method, body, headers, signal: aborter.signal });
  }
  return realAttempts(input, send);
}

/** {@link attempts} for a real `Request` (middleware is registered). */
async function realAttempts(input: Request, send: TransportConfig["fetch"]): Promise<Attempt> {
  const body = input.body === null ? undefined : await input.arrayBuffer();
  const fetchRequest = send ?? ((request: Request) => globalThis.fetch(request));
  return (headers, { signal }) =>
    fetchRequest(new Request(input, body ? { body, headers, signal } : { headers, signal }));
}

/**
 * Builds the sender of every call: the `fetch` handed to openapi-fetch, and what the direct calls
 * (see direct.ts) hand their {@link DirectInput} to. It owns everything that needs to send a
 * request more than once (openapi-fetch middleware cannot: by `onResponse` the body is consumed),
 * sending each attempt from the call's URL, init and body (see {@link attempts}).
 * Per call: one `Idempotency-Key` for every POST, kept across retries; bearer token injection;
 * one extra attempt after a 401 `token_expired`/`session_revoked` (outside the retry budget);
 * backoff retries; per-attempt timeout and overall deadline.
 */
export function createTransport(config: TransportConfig): Transport {
  // The user's `fetch` is called as a plain function: a browser's `fetch` called as a method of
  // another object throws "Illegal invocation", and users often pass `fetch: window.fetch`.
  const { clock, auth, defaults } = config;
  // The `Authorization` value of the token used last: the same string for every call of a token's
  // lifetime instead of a fresh ~300-character concatenation per call.
  let bearerToken: string | undefined;
  let bearerHeader = "";
  return async (original) => {
    let opts = defaults;
    const overrides = (original as { fluxra?: CallOptions }).fluxra;
    // Helpers pass `fluxra: {}` on every call: copy the defaults only when something is set.
    // `{ timeout: undefined }` means "not set": it must not erase the default.
    if (overrides) {
      for (const key in overrides) {
        const value = overrides[key as keyof CallOptions];
        if (value === undefined) continue;
        if (opts === defaults) opts = { ...defaults };
        Object.assign(opts, { [key]: value });
      }
    }
    // A DirectInput's headers are fresh per call: ours to change. A `Request`'s are copied.
    const direct = original instanceof DirectInput;
    const headers = direct ? original.headers : Object.fromEntries(original.headers);
    if (original.method === "POST" && headers["idempotency-key"] === undefined) {
      headers["idempotency-key"] = newIdempotencyKey();
    }
    const withAuth =
      auth !== undefined &&
      headers["authorization"] === undefined &&
      !(direct ? original.open : config.isPublic(original.method, original.url));
    const prepared = attempts(original, config.fetch);
    // Synchronous in the common case: no extra turn of the microtask queue per call.
    const send = typeof prepared === "function" ? prepared : await prepared;
    const userSignal = original.signal ?? undefined;
    // One aborter per call, replaced only after an attempt timed out. Without a caller's signal,
    // on Node's own fetch, it is no signal at all (see `ConnectionCanceller`: any signal handed to
    // Node's fetch costs 7-8 µs per call); elsewhere a light signal where the runtime takes one
    // (see `callAborter`), or a real AbortController.
    const aborter = direct && !config.fetch ? fetchAborter : callAborter;
    let controller = aborter(userSignal);
    // The caller's abort and the deadline end the call whatever else was going on.
    const ended: Ended = { userSignal, deadlineHit: false };
    const deadlineAt = opts.deadline === undefined ? Infinity : clock.now() + opts.deadline;
    const cancelDeadline =
      opts.deadline === undefined
        ? undefined
        : clock.setTimer(() => {
            ended.deadlineHit = true;
            controller.abort(DEADLINE);
          }, opts.deadline);
    let retries = 0;
    let renewed = false;
    let response: Response;
    try {
      for (;;) {
        let token: string | undefined;
        if (withAuth) {
          token = auth.freshToken?.();
          if (token === undefined) {
            try {
              token = await auth.getToken(controller.signal);
            } catch (cause) {
              throw endedError(ended) ?? cause;
            }
          }
          if (token !== bearerToken) {
            bearerToken = token;
            bearerHeader = `Bearer ${token}`;
          }
          headers["authorization"] = bearerHeader;
        }
        const attempt = controller;
        const cancelTimeout = clock.setTimer(() => attempt.abort(TIMEOUT), opts.timeout);
        try {
          response = await send(headers, attempt);
        } catch (cause) {
          const end = endedError(ended);
          if (end) throw end;
          const timedOut = abortReason(attempt) === TIMEOUT;
          const error = timedOut
            ? new APIConnectionTimeoutError()
            : new APIConnectionError(redact(`Connection error: ${String(cause)}`), cause);
          const delay = backoffMs(retries, clock.random());
          if (retries >= opts.maxRetries || clock.now() + delay >= deadlineAt) throw error;
          if (timedOut) controller = aborter(userSignal);
          retries++;
          await sleepOrEnd(clock, delay, controller.signal, ended);
          continue;
        } finally {
          cancelTimeout();
        }
        const status = response.status;
        if (status === 401 && withAuth && auth.renewable && !renewed && token !== undefined) {
          const error = await peekBody(response);
          if (RENEW_CODES.has((error as { error?: { code?: string } })?.error?.code ?? "")) {
            renewed = true;
            auth.invalidate(token);
            await response.body?.cancel();
            continue;
          }
        }
        if (status < 400 || retries >= opts.maxRetries) break;
        const error = status === 409 || status === 429 ? await peekBody(response) : undefined;
        const code = (error as { error?: { code?: string } } | undefined)?.error?.code;
        if (!isRetryableResponse(status, code)) break;
        const asked = retryAfterMs(response.headers, error);
        if (asked !== undefined && asked > opts.maxRetryAfterMs) break;
        const delay = asked ?? backoffMs(retries, clock.random());
        if (clock.now() + delay >= deadlineAt) break;
        await response.body?.cancel();
        retries++;
        await sleepOrEnd(clock, delay, controller.signal, ended);
      }
    } finally {
      cancelDeadline?.();
    }
    if (!direct) return response;
    // A direct call's body is read here, in this same async function rather than in a layer
    // chained after it: each `then`/async layer between the response and the caller costs a turn
    // of the microtask queue and a promise per call. Read as openapi-fetch does with its default
    // `parseAs: "json"`: JSON data on success (a parse error throws), nothing for an empty body,
    // an error body parsed as JSON when it is JSON and kept as text otherwise (`undefined` when
    // `Content-Length: 0`, only looked up then). A 204 or empty body reads as "" at no cost.
    const { ok, status } = response;
    const text = await response.text();
    let value: unknown = text;
    if (text) {
      try {
        value = JSON.parse(text);
      } catch (error) {
        if (ok) throw error;
      }
    } else if (ok || response.headers.get("Content-Length") === "0") {
      value = undefined;
    }
    if (original.as === AS_RESULT) {
      return ok ? { data: value, response } : { error: value, response };
    }
    // `unwrap`'s part, for a helper's call (AS_DATA): the data, or the status's typed error.
    if (!ok) throw APIError.generate(status, value, undefined, response.headers);
    return value;
  };
}

/** What ends a call whatever else is going on: the caller's abort, the deadline. */
interface Ended {
  userSignal: AbortSignal | undefined;
  deadlineHit: boolean;
}

/** The error for a call the caller aborted or whose deadline passed, if so. */
function endedError(ended: Ended): Error | undefined {
  if (ended.userSignal?.aborted) return new APIUserAbortError();
  if (ended.deadlineHit) return new APIConnectionTimeoutError("Request exceeded its deadline.");
  return undefined;
}

/** A backoff sleep; an abort during it surfaces as {@link endedError} (or its own reason). */
async function sleepOrEnd(clock: Clock, ms: number, signal: AbortSignal, ended: Ended) {
  try {
    await clock.sleep(ms, signal);
  } catch (cause) {
    throw endedError(ended) ?? cause;
  }
}
