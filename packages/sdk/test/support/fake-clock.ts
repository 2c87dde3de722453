import type { Clock } from "../../src/core/clock.js";

/**
 * A manual clock: time moves only through `advance()` or a `sleep()` (which records the wait and
 * jumps ahead at once), so retry and expiry tests never really sleep.
 */
export function fakeClock(start = 1_000) {
  let now = start;
  let timers: { at: number; fn: () => void }[] = [];
  const sleeps: number[] = [];
  const fire = () => {
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      timers = timers.filter((t) => t !== due);
      due.fn();
    }
  };
  const clock = {
    now: () => now,
    random: () => 0,
    setTimer(fn: () => void, ms: number) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    async sleep(ms: number, signal?: AbortSignal) {
      sleeps.push(ms);
      now += ms;
      fire();
      if (signal?.aborted) throw signal.reason;
    },
    /** Moves time forward, firing due timers. */
    advance(ms: number) {
      now += ms;
      fire();
    },
    sleeps,
    /** Timers still pending (a leak check). */
    get pending() {
      return timers.length;
    },
  } satisfies Clock & Record<string, unknown>;
  return clock;
}
