/**
 * Counts the HTTP requests this process has received (the listener calls {@link noteReceived}
 * as a request's head is parsed, before any of its work runs), so an in-memory copy of what
 * another process may change can reuse one freshness check for every request received before
 * it (see `SqliteDatabase.sharedDataVersion`).
 */
let received = 0;
/** Off until a listener counts requests: then every read must be fresh. */
let counting = false;

/** Called by the server's request listener for every request, first thing. */
export function noteReceived(): void {
  counting = true;
  received++;
}

/**
 * Requests received so far, or -1 while no listener counts them (in-process `app.request`,
 * a store used as a library): a check taken at count n covers exactly the requests counted up
 * to n.
 */
export function receivedCount(): number {
  return counting ? received : -1;
}
