/**
 * An AbortController that aborts when any of `signals` does (with that signal's reason).
 * `AbortSignal.any` is not in every runtime the SDK supports, hence this. Call `release()` once
 * the work is done so long-lived caller signals do not accumulate listeners.
 */
export function linkedController(...signals: (AbortSignal | undefined)[]): {
  controller: AbortController;
  release: () => void;
} {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  for (const signal of signals) {
    if (!signal) continue;
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener("abort", onAbort));
  }
  return {
    controller,
    release: () => {
      for (const fn of cleanups) fn();
    },
  };
}

/** Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Settles like `promise`, or rejects with `error` after `ms` on the given timer. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  setTimer: (fn: () => void, ms: number) => () => void,
  error: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = setTimer(() => reject(error()), ms);
    promise.then(resolve, reject).finally(cancel);
  });
}

/** The part of an `AbortController` the transport uses: a signal to hand `fetch`, and `abort`. */
export interface Aborter {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

/**
 * A signal that is only an `EventTarget` with `aborted`/`reason`: creating one costs well under a
 * microsecond, where Node 20 builds a real `AbortSignal` in ~13 µs (it re-prototypes an
 * `EventTarget`, which V8 handles slowly) and its `fetch` then tracks a caller's real signal with a
 * `WeakRef`, a `FinalizationRegistry` entry and listener-limit bookkeeping: together ~30 µs of
 * every call. Node's `fetch` (undici) accepts any object with a boolean `aborted` and an
 * `addEventListener`, and aborts the request when it dispatches `abort`; {@link supportsLightSignal}
 * checks that at run time. Browsers, Deno and workers insist on a real `AbortSignal`, so they get
 * one.
 */
class LightSignal extends EventTarget implements Aborter {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;

  get signal(): AbortSignal {
    return this as unknown as AbortSignal;
  }

  abort(reason: unknown = new DOMException("This operation was aborted", "AbortError")): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = new Event("abort");
    this.onabort?.call(this as unknown as AbortSignal, event);
    this.dispatchEvent(event);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  any(): never {
    throw new TypeError("not an AbortSignal");
  }
}

let lightSignals: boolean | undefined;

/**
 * Whether this runtime's `Request` takes a {@link LightSignal} and aborts when it does: checked
 * once, by building a request with one and aborting it. Anything else (a `TypeError`, a signal
 * that does not follow) means real `AbortController`s.
 */
export function supportsLightSignal(): boolean {
  if (lightSignals !== undefined) return lightSignals;
  lightSignals = false;
  try {
    const light = new LightSignal();
    const request = new Request("http://localhost/", { signal: light.signal });
    const reason = Symbol("probe");
    light.abort(reason);
    lightSignals = request.signal.aborted && request.signal.reason === reason;
  } catch {
    // Not accepted: real signals it is.
  }
  return lightSignals;
}

/**
 * An {@link Aborter} for one call or attempt: a {@link LightSignal} where the runtime's `fetch`
 * takes one, a real `AbortController` elsewhere. A caller's `signal` aborts it too (the link stays
 * for the response body's read, which the caller's abort must also stop). Calls sent with Node's own
 * `fetch` and no caller's signal use no signal at all once that is shown to work (connection.ts);
 * this is for a custom `fetch`, other runtimes, a caller's signal, and until then.
 */
export function callAborter(userSignal: AbortSignal | undefined): Aborter {
  if (userSignal || !supportsLightSignal()) return linkedController(userSignal).controller;
  return new LightSignal();
}
