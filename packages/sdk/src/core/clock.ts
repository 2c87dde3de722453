/**
 * The time and randomness sources the SDK depends on, injectable so tests move time instead of
 * sleeping. `now()` is monotonic (milliseconds from an arbitrary origin): token lifetimes are
 * measured with it so a wall clock that jumps (NTP, sleep/resume, skew) cannot hand out an
 * expired token.
 */
export interface Clock {
  /** Monotonic milliseconds (default `performance.now()`). */
  now(): number;
  /** Schedules `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1) used for retry jitter (default `Math.random`). */
  random(): number;
}

/** Resolves after `ms` on `clock`'s timers, or rejects when `signal` aborts. */
export function sleepOn(
  setTimer: Clock["setTimer"],
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = setTimer(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The real clock: `performance.now()`, `setTimeout`, `Math.random`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  sleep(ms, signal) {
    return sleepOn(this.setTimer, ms, signal);
  },
  random: () => Math.random(),
};
