/** Where the server gets the current time; injected so tests move time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can move by hand. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  /** Jumps to an absolute time. */
  set(ms: number): void;
}

/**
 * Creates a {@link ManualClock} starting at `start` (default 2026-04-03T20:00:00.000Z).
 *
 * @example
 * const clock = createManualClock();
 * clock.advance(16 * 60_000); // every 15-minute token is now expired
 */
export function createManualClock(start = Date.UTC(2026, 3, 3, 20, 0, 0, 0)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

/** Formats epoch milliseconds as the API's timestamp: RFC 3339 UTC with milliseconds and `Z`. */
export function toTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Like {@link toTimestamp} but keeps `null` (nullable `*_at` fields are null, never absent). */
export function toNullableTimestamp(ms: number | null): string | null {
  return ms === null ? null : toTimestamp(ms);
}
