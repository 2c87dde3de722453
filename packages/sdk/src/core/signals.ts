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
