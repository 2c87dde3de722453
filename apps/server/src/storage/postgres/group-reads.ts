import { ApiError } from "../../platform/errors.js";

/** Options of {@link groupReads}. */
export interface GroupReadOptions {
  /** Most keys in one statement. */
  maxBatch?: number;
  /** Statements of this reader running at once (each holds one pooled connection). */
  inFlight?: number;
}

interface Pending<K, R> {
  key: K;
  resolve(value: R): void;
  reject(err: unknown): void;
}

/**
 * Group reads: lookups of one kind that arrive while `inFlight` statements of that kind run are
 * answered together by the next statement (`run` gets their keys in arrival order and returns one
 * answer per key, in that order), so N concurrent requests cost one round trip instead of N. No
 * timer: with a free slot a lookup goes out at once, alone, with no added latency.
 *
 * Freshness is that of a lookup of its own: a key only ever joins a statement that has not been
 * sent yet, so the statement that answers it starts after the lookup was asked for and sees every
 * commit made before (a session revoked on another instance is refused at the next request, as
 * with one statement per request). If a grouped statement fails with anything but an
 * {@link ApiError} (e.g. 503), each key is looked up again alone, so only the one at fault fails.
 */
export function groupReads<K, R>(
  run: (keys: K[]) => Promise<R[]>,
  { maxBatch = 128, inFlight = 1 }: GroupReadOptions = {},
): (key: K) => Promise<R> {
  const queue: Pending<K, R>[] = [];
  let running = 0;

  /** Runs one statement for `batch`; settles its lookups only after `done` freed the slot. */
  const answer = async (batch: Pending<K, R>[], done: () => void): Promise<void> => {
    let values: R[];
    try {
      values = await run(batch.map((p) => p.key));
      if (values.length !== batch.length) {
        throw new Error(`group read answered ${values.length} of ${batch.length} keys`);
      }
    } catch (err) {
      if (batch.length === 1 || err instanceof ApiError) {
        done();
        for (const p of batch) p.reject(err);
        return;
      }
      // Each again alone, ahead of lookups asked since (those may still be grouped).
      retryAlone.push(...batch);
      done();
      return;
    }
    // The slot is free before anyone hears back, so a caller's next lookup goes out at once.
    done();
    for (const [i, p] of batch.entries()) p.resolve(values[i] as R);
  };

  /** Lookups of a failed group, sent one per statement. */
  const retryAlone: Pending<K, R>[] = [];

  const pump = () => {
    while (running < inFlight && (retryAlone.length > 0 || queue.length > 0)) {
      const batch =
        retryAlone.length > 0 ? [retryAlone.shift() as Pending<K, R>] : queue.splice(0, maxBatch);
      running++;
      void answer(batch, () => {
        running--;
        pump();
      });
    }
  };

  return (key) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ key, resolve, reject });
      pump();
    });
}
