import type { Aborter } from "./signals.js";

/** One pending timeout: abort `aborter` with `reason` once `performance.now()` reaches `at`. */
export interface QueuedTimeout {
  at: number;
  aborter: Aborter;
  reason: unknown;
}

interface Timer {
  unref?: () => unknown;
}

/**
 * Per-attempt timeouts on one shared `setTimeout` instead of one per attempt: arming and clearing a
 * timer for every request costs Node a timer-list insert and removal plus a libuv re-arm each
 * time (~5-10 µs of a ~0.2 ms loopback call on a loaded machine), where adding to and removing
 * from a `Set` costs well under a microsecond. The timer is armed for the earliest pending
 * timeout; when it fires it aborts the expired attempts and re-arms for the next one.
 *
 * Where timers can be unref'd (Node, Bun) the timer stays armed once the queue empties, so a
 * sequence of calls re-arms it only when it fires (at most once per timeout period) and it never
 * keeps the process alive. Elsewhere (browsers, Deno, workers) it is cleared as soon as no attempt
 * is pending, as the per-attempt timers were.
 */
export class TimerQueue {
  readonly #pending = new Set<QueuedTimeout>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = Infinity;
  #unrefable = false;

  /** Aborts `aborter` with `reason` after `ms`; {@link delete} the returned entry when done. */
  add(ms: number, aborter: Aborter, reason: unknown): QueuedTimeout {
    const entry: QueuedTimeout = { at: performance.now() + ms, aborter, reason };
    this.#pending.add(entry);
    if (entry.at < this.#armedAt) this.#arm(entry.at);
    return entry;
  }

  /** Forgets `entry` (its attempt finished). */
  delete(entry: QueuedTimeout): void {
    this.#pending.delete(entry);
    if (this.#pending.size === 0 && !this.#unrefable && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedAt = Infinity;
    }
  }

  /** How many timeouts are pending (for tests). */
  get size(): number {
    return this.#pending.size;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    const timer = setTimeout(this.#fire, Math.max(0, at - performance.now()));
    const unref = (timer as Timer).unref;
    this.#unrefable = typeof unref === "function";
    if (this.#unrefable) unref?.call(timer);
    this.#timer = timer;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    const expired: QueuedTimeout[] = [];
    for (const entry of this.#pending) {
      // `setTimeout` counts from the event loop's cached time and may fire a fraction early:
      // such an entry waits for the re-armed timer instead.
      if (entry.at <= now) expired.push(entry);
      else if (entry.at < next) next = entry.at;
    }
    for (const entry of expired) {
      this.#pending.delete(entry);
      entry.aborter.abort(entry.reason);
    }
    if (next !== Infinity && next < this.#armedAt) this.#arm(next);
  };
}
