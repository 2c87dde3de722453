import { ApiError } from "../../../platform/errors.js";
import { binaryArrays } from "../../../storage/postgres/binary-arrays.js";
import type { PgDatabase } from "../../../storage/postgres/database.js";
import type { PgEvents } from "../../events/postgres-store.js";

/** One send's values, as `fluxra_send_messages` takes them (one array element each). */
export interface SendValues {
  conversation: string;
  author: string;
  id: string;
  content: string;
  contentType: string;
  replyTo: string | null;
  metadata: string | null;
  now: number;
  eventId: string;
  /** The message JSON before and after its seq (known only under the conversation's row lock). */
  jsonHead: string;
  jsonTail: string;
  /** The caller's session hash when the guard deferred its check here (else null: none made). */
  session: string | null;
  /** The time that check is made at (the guard's clock when it verified the token). */
  sessionNow: number;
}

/**
 * What `fluxra_send_messages_checked` returns per send: the caller's session row (nulls when
 * none was asked for or found), the refusal facts, then seq and the version before.
 */
export interface SendRow {
  session_agent: string | null;
  session_expires: number | null;
  session_revoked: number | null;
  is_member: boolean;
  is_blocked: boolean;
  reply_found: boolean;
  new_seq: number | null;
  old_version: number | null;
}

/** The columns are named so their order is fixed here: {@link sendRow} reads them by position. */
/** Parameters: the 11 text arrays of {@link call}, then its 2 bigint arrays, channel, lock. */
const SEND_SQL = `SELECT session_agent, session_expires, session_revoked, is_member, is_blocked,
  reply_found, new_seq, old_version FROM fluxra_send_messages_checked($11::text[], $13::bigint[],
  $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
  $12::bigint[], $8::text[], $9::text[], $10::text[], $14, $15)`;

const bigintOrNull = (v: string | null): number | null => (v === null ? null : Number(v));

/** A {@link SendRow} from SEND_SQL's text fields, in its column order (database.ts, queryRows). */
export function sendRow(f: (string | null)[]): SendRow {
  return {
    session_agent: f[0] ?? null,
    session_expires: bigintOrNull(f[1] ?? null),
    session_revoked: bigintOrNull(f[2] ?? null),
    is_member: f[3] === "t",
    is_blocked: f[4] === "t",
    reply_found: f[5] === "t",
    new_seq: bigintOrNull(f[6] ?? null),
    old_version: bigintOrNull(f[7] ?? null),
  };
}

interface Pending {
  values: SendValues;
  resolve(row: SendRow): void;
  reject(err: unknown): void;
}

/** Options of {@link sendBatcher}. */
export interface SendBatchOptions {
  /** Most sends in one call (one transaction). */
  maxBatch?: number;
  /**
   * Calls running at once on this instance (each holds one pooled connection). One: every send
   * that arrives while a batch commits goes into the next batch. A second call in flight could
   * write its rows while the previous one commits, but it waits for the position lock (held
   * through that commit's WAL flush) anyway, and it halves the batches: PostgreSQL's work per
   * send is ~3.7× at one send per call than at eight (1.8 M vs 0.48 M instructions,
   * `bench/src/pg-send-instructions.ts`), and in same-run A/B rounds one in flight cost 15-25 %
   * less backend CPU per send than two.
   */
  inFlight?: number;
  /**
   * The longest a batch is held back for sends expected to come (group-commit wait, in µs;
   * 0 disables it). Only under concurrency: when a batch returns and it carried more than one
   * send, or sends are queued, the next batch waits until as many sends are queued as the batch
   * just answered plus those already queued (the callers just answered usually send again within
   * a round trip), or `maxBatch`, and leaves the moment they are. It never waits longer than this,
   * nor longer than half the last batch's duration. A lone send on an idle instance (nothing in
   * flight, the last batch a single send) goes out at once, as without it. Arrivals check the
   * deadline exactly; when nothing arrives, Node's timer ends the wait, at its 1 ms granularity.
   * Default {@link DEFAULT_GROUP_WAIT_MICROS}.
   */
  groupWaitMicros?: number | undefined;
}

/**
 * Default group-commit wait (µs). The bench's 10 closed-loop clients settle, without it, into two
 * alternating batches of ~4.5 sends (the next batch leaves the moment the previous one returns),
 * and a batch costs PostgreSQL ~1.6 ms of CPU at load whatever its size (much of it the commit):
 * waiting one client round trip lets both halves share a commit (bench/README.md, round 6). Off
 * by default, as PostgreSQL's own `commit_delay` is: on a quiet 2-core host the wait was idle time
 * for the database (500 µs: 5.5 vs 5.0 sends per commit, and fewer sends/s than without it in 4 of
 * 4 rounds); it paid only on a host busy with other work (bench/README.md, round 6).
 */
export const DEFAULT_GROUP_WAIT_MICROS = 0;

/**
 * Group commit for PostgreSQL sends (migration 20261207T0400_send_messages_function, set-based
 * since 20261207T0930_send_set_based: the function's statements and the insert trigger run once
 * per conversation or per batch, not per send, so a bigger batch is cheaper per send): a send
 * goes out at once when fewer than `inFlight` calls run; otherwise it waits, and every send that
 * arrived meanwhile goes out together in the next call, so the position lock, the commit and
 * its WAL flush are paid once per batch, not once per send. An idle server sends each message
 * alone, with no added latency; under concurrency the next batch may wait a bounded time for the
 * sends expected back (`groupWaitMicros`), as PostgreSQL's `commit_delay` does. Each send's
 * session is checked in the same call (migration 20261207T1300_send_checks_session, made cheaper
 * by 20261207T1600_send_checked_cheaper): a send whose session is dead writes nothing.
 * A refused send (not a member, blocked, bad reply_to, dead session) is
 * refused in the batch without failing the others; if the call itself fails (nothing of it
 * committed), each send is run again alone so only the one at fault fails. A connection failure
 * (503) fails every send of the batch, as it would have failed each.
 */
export function sendBatcher(
  db: PgDatabase,
  events: PgEvents,
  {
    maxBatch = 64,
    inFlight = 1,
    groupWaitMicros = DEFAULT_GROUP_WAIT_MICROS,
  }: SendBatchOptions = {},
): (values: SendValues) => Promise<SendRow> {
  const queue: Pending[] = [];
  let running = 0;
  /** While set, the queue is held until `want` sends wait in it or `deadline` (ms) has passed. */
  let hold: { want: number; deadline: number; timer: ReturnType<typeof setTimeout> } | undefined;

  const call = async (batch: Pending[]): Promise<SendRow[]> => {
    const v = batch.map((p) => p.values);
    // The arrays in binary format (storage/postgres/binary-arrays.ts): no quoting or escaping of
    // the message JSON on either side; in SEND_SQL's parameter order.
    const arrays = binaryArrays(
      [
        v.map((s) => s.conversation),
        v.map((s) => s.author),
        v.map((s) => s.id),
        v.map((s) => s.content),
        v.map((s) => s.contentType),
        v.map((s) => s.replyTo),
        v.map((s) => s.metadata),
        v.map((s) => s.eventId),
        v.map((s) => s.jsonHead),
        v.map((s) => s.jsonTail),
        v.map((s) => s.session),
      ],
      [v.map((s) => s.now), v.map((s) => s.sessionNow)],
    );
    const rows = await db.queryRows(
      SEND_SQL,
      [...arrays, events.channel, String(events.positionLock())],
      sendRow,
    );
    if (rows.length !== batch.length) {
      throw new Error(`fluxra_send_messages returned ${rows.length} rows for ${batch.length}`);
    }
    return rows;
  };

  /**
   * Runs one batch; `release` frees its slot once, as soon as the call returned: the next batch
   * is sent before this one's answers are (each resolve runs the request's response code, a few
   * HTTP writes), so the database works on it meanwhile instead of waiting for the responses.
   */
  const run = async (arrived: Pending[], release: () => void): Promise<void> => {
    // Row locks in conversation-id order (as every multi-conversation locker takes them), the
    // arrival order kept within a conversation (Array.prototype.sort is stable).
    const batch = [...arrived].sort((a, b) =>
      a.values.conversation < b.values.conversation
        ? -1
        : a.values.conversation > b.values.conversation
          ? 1
          : 0,
    );
    let rows: SendRow[];
    try {
      rows = await call(batch);
    } catch (err) {
      if (batch.length === 1 || err instanceof ApiError) {
        release();
        for (const p of batch) p.reject(err);
        return;
      }
      await Promise.all(
        batch.map(async (p) => {
          try {
            const [row] = await call([p]);
            p.resolve(row as SendRow);
          } catch (alone) {
            p.reject(alone);
          }
        }),
      );
      release();
      return;
    }
    release();
    for (const [i, p] of batch.entries()) p.resolve(rows[i] as SendRow);
  };

  /** Ends a hold (its timer fired, enough sends came, or its deadline passed) and dispatches. */
  const flush = () => {
    if (hold === undefined) return;
    clearTimeout(hold.timer);
    hold = undefined;
    pump();
  };

  /**
   * A batch of `size` that started at `started` returned: its slot is free. Under concurrency,
   * hold the queue for the sends expected back (see `groupWaitMicros`), else dispatch at once.
   */
  const returned = (size: number, started: number) => {
    running--;
    const queued = queue.length;
    const want = Math.min(maxBatch, size + queued);
    const now = performance.now();
    const waitMs = Math.min(groupWaitMicros / 1000, (now - started) / 2);
    if (
      hold === undefined &&
      waitMs > 0 &&
      running < inFlight &&
      (size > 1 || queued > 0) &&
      queued < want
    ) {
      hold = { want, deadline: now + waitMs, timer: setTimeout(flush, waitMs) };
      return;
    }
    pump();
  };

  const pump = () => {
    if (hold !== undefined) return;
    while (running < inFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      running++;
      const started = performance.now();
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        returned(batch.length, started);
      };
      void run(batch, release).finally(release);
    }
  };

  return (values) =>
    new Promise<SendRow>((resolve, reject) => {
      queue.push({ values, resolve, reject });
      if (hold !== undefined && (queue.length >= hold.want || performance.now() >= hold.deadline))
        flush();
      else pump();
    });
}
