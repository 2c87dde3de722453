import { type Aborter, callAborter, supportsLightSignal } from "./signals.js";

/**
 * Where Node's bundled undici (and the `undici` package, which shares it) keeps the dispatcher
 * that `fetch` uses unless told otherwise: an `Agent` by default, or whatever the application set
 * with `setGlobalDispatcher` (a proxy agent, a `MockAgent`). Read at each request, never cached.
 */
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

type Abort = (error: Error) => void;

/** The part of undici's dispatch handler interface this file touches. */
interface Handler {
  onConnect?: (abort: Abort, context?: unknown) => void;
}

interface Dispatcher {
  dispatch(options: object, handler: Handler): boolean;
  readonly isMockActive?: boolean;
}

const globalDispatcher = (): Dispatcher | undefined =>
  (globalThis as { [GLOBAL_DISPATCHER]?: Dispatcher })[GLOBAL_DISPATCHER];

/**
 * Whether `fetch(url, { dispatcher })` is known to route requests through the dispatcher given:
 * `undefined` until one request has shown it either way (see {@link ConnectionCanceller.send}).
 */
let viaDispatcher: boolean | undefined;

const abortError = () => new DOMException("This operation was aborted", "AbortError");

/**
 * The cancellation of one call on Node's own `fetch` without an abort signal.
 *
 * Node 20's `fetch` (undici) makes the `Request` it builds follow any signal it is given, real or
 * light: a `WeakRef`, a `FinalizationRegistry` entry, a listener and listener-limit bookkeeping,
 * 7-8 µs of CPU per call. Cancellation does not need any of it: undici hands every request's
 * handler an `abort` function when the request gets its connection (`onConnect`), and `abort`
 * destroys that request on its socket, which is what a signal's abort ends up calling. So a call
 * passes this object as `fetch`'s `dispatcher` (an undici option), which forwards each request
 * to the current global dispatcher and keeps the `abort` it is handed. A timeout or deadline
 * calls {@link abort}: the attempt's promise rejects at once and the request is destroyed, at
 * once if connected, or as soon as it gets its connection (undici does the same with a signal
 * that aborted before `onConnect`).
 *
 * Used only where it is shown to work: until one request has been answered through it, requests
 * carry a light signal as well, and after any request that came back without passing through
 * {@link dispatch}
 * (another `fetch` installed in `globalThis`, a runtime that ignores `dispatcher`, a dispatcher
 * that never calls `onConnect`) every later call goes back to signals.
 */
export class ConnectionCanceller implements Aborter {
  aborted = false;
  reason: unknown;
  /** Whether the current request got its connection through {@link dispatch}. */
  private seen = false;
  /** The current request's `abort`, from undici. */
  private kill?: Abort | undefined;
  /** Rejects the current attempt's promise. */
  private fail?: ((reason: unknown) => void) | undefined;
  /** A signal made only when something asks for one (token renewal, a backoff sleep). */
  private inner?: Aborter | undefined;

  /** A real or light signal that aborts with this; made on first use. */
  get signal(): AbortSignal {
    if (!this.inner) {
      this.inner = callAborter(undefined);
      if (this.aborted) this.inner.abort(this.reason);
    }
    return this.inner.signal;
  }

  abort(reason: unknown = abortError()): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.inner?.abort(reason);
    this.kill?.(abortError());
    this.fail?.(abortError());
  }

  /** undici calls this with each request of the call (redirects included). */
  dispatch(options: object, handler: Handler): boolean {
    const onConnect = handler.onConnect;
    handler.onConnect = (abort, context) => {
      this.seen = true;
      this.kill = abort;
      onConnect?.call(handler, abort, context);
      if (this.aborted) abort(abortError());
    };
    return (globalDispatcher() as Dispatcher).dispatch(options, handler);
  }

  /** undici's `fetch` reads this off its dispatcher to pick the body form a `MockAgent` takes. */
  get isMockActive(): boolean | undefined {
    return globalDispatcher()?.isMockActive;
  }

  /** `globalThis.fetch(url, init)`, cancelled by {@link abort}. */
  send(url: string, init: RequestInit & { dispatcher?: unknown }): Promise<Response> {
    const trial = viaDispatcher === undefined;
    if (trial) {
      // Not known yet: a signal as well, so this call can be cancelled either way.
      init.signal = this.signal;
      // The first `fetch` of the process is what sets the global dispatcher up.
      if (!globalDispatcher()) return fetch(url, init);
    }
    init.dispatcher = this;
    this.seen = false;
    return new Promise((resolve, reject) => {
      if (this.aborted) return reject(abortError());
      this.fail = reject;
      fetch(url, init).then((response) => {
        // An answer that did not pass through `dispatch`: this `fetch` ignores the option.
        if (trial || !this.seen) viaDispatcher = this.seen;
        resolve(response);
      }, reject);
    });
  }
}

/**
 * What cancels a call sent with `globalThis.fetch(url, init)`: a {@link ConnectionCanceller}
 * where undici's `fetch` is in use and no caller's signal is given, else {@link callAborter}'s
 * light signal or real `AbortController`.
 */
export function fetchAborter(userSignal: AbortSignal | undefined): Aborter {
  if (userSignal || viaDispatcher === false || !supportsLightSignal()) {
    return callAborter(userSignal);
  }
  return new ConnectionCanceller();
}

/** Why `aborter` aborted (`undefined` if it did not). */
export function abortReason(aborter: Aborter): unknown {
  return aborter instanceof ConnectionCanceller ? aborter.reason : aborter.signal.reason;
}

/** For tests: whether calls are cancelled through the dispatcher (`undefined`: not known yet). */
export function dispatcherCancellation(): boolean | undefined {
  return viaDispatcher;
}
