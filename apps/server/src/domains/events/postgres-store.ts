import type pg from "pg";
import type { PgDatabase, Query } from "../../storage/postgres/database.js";
import {
  AUDIENCE_SQL,
  EVENT_INSERT_SQL,
  type EventRow,
  eventJson,
  eventValues,
  PAGE_SQL,
  parseNotice,
  RECIPIENT_SQL,
  RECIPIENTS_SQL,
} from "./rules.js";
import type { EventDraft, EventsStore, Wake } from "./store.js";

/**
 * Writes events inside the caller's transaction (`db.tx`). Call it after the transaction's last
 * row lock: the first event of a transaction takes the feed's position lock (see below), held to
 * COMMIT, and a transaction holding it must not wait for anything but its own commit.
 */
export interface PgEventWriter {
  toMembers(q: Query, draft: EventDraft): Promise<void>;
  toAgent(q: Query, agent: string, draft: EventDraft): Promise<void>;
  audience(q: Query, conversation: string): Promise<string[]>;
}

/** The events store and writer of one PostgreSQL database (schema). */
export interface PgEvents {
  store: EventsStore;
  writer: PgEventWriter;
  /**
   * The NOTIFY channel and whether writers take the position lock (false only under
   * {@link dropPositionLockForBench}): for writes done by a server-side function in one round trip
   * (chat's `fluxra_send_message`), which take the lock and notify themselves, in the same order.
   */
  channel: string;
  positionLock(): boolean;
  /** A new event id (as the writer gives its events). */
  newEventId(): string;
}

const byDatabase = new WeakMap<PgDatabase, PgEvents>();

/** The events store of `db`, shared by every store built on it (see sqliteEvents). */
export function pgEvents(db: PgDatabase): PgEvents {
  let events = byDatabase.get(db);
  if (events === undefined) {
    events = createPgEvents(db);
    byDatabase.set(db, events);
  }
  return events;
}

/**
 * Positions come from a sequence, which is NOT commit-ordered: a reader could see position 10
 * committed while 9 is still in flight, move its cursor past 9 and never deliver it. So every
 * transaction that writes events first takes one transaction-scoped advisory lock (per schema),
 * held until COMMIT/ROLLBACK: positions are allocated and made visible one transaction after
 * the other, and "every position ≤ the highest visible one is final" holds on every instance.
 * The lock is taken after the change's own row locks (the writer runs last), so it is held only
 * for the event inserts and the commit. Two-integer key space: never collides with the
 * migrations' one-integer lock.
 */
const POSITION_LOCK_SQL = "SELECT pg_advisory_xact_lock(7391, hashtext(current_schema()))";

/** Databases whose event writes skip the position lock: filled only by the bench, see below. */
const unlockedForBench = new WeakSet<PgDatabase>();

/**
 * BENCH ONLY: event writes on `db` stop taking the position lock, so positions may become visible
 * out of order and a reader can skip events. It exists to measure what the lock costs
 * (`bench/src/events/pg-lock-cost.ts`); no configuration or server path reaches it.
 */
export function dropPositionLockForBench(db: PgDatabase): void {
  unlockedForBench.add(db);
}

function createPgEvents(db: PgDatabase): PgEvents {
  const channel = `fluxra_events_${db.schema ?? "public"}`.slice(0, 63);
  const locked = new WeakSet<Query>();
  const insertEvent = async (q: Query, draft: EventDraft): Promise<number> => {
    if (!locked.has(q) && !unlockedForBench.has(db)) {
      await q(POSITION_LOCK_SQL);
      locked.add(q);
    }
    const values = eventValues(draft.type, draft.conversationId, draft.data, draft.now);
    const [row] = await q<{ pos: number }>(EVENT_INSERT_SQL, values);
    return (row as { pos: number }).pos;
  };
  // NOTIFY is queued by the transaction and delivered on COMMIT (never on rollback), to every
  // instance LISTENing, this one included. Past ~7 KB of ids the notice says "everyone".
  const notify = (inserted: string) => `WITH r AS (${inserted})
    SELECT pg_notify(@channel, CASE WHEN length(x) > 7000 THEN '*' ELSE x END)
    FROM (SELECT string_agg(agent_id, ',') AS x FROM r) s WHERE x IS NOT NULL`;
  const writer: PgEventWriter = {
    async toMembers(q, draft) {
      const pos = await insertEvent(q, draft);
      await q(notify(RECIPIENTS_SQL), {
        pos,
        conversation: draft.conversationId,
        author: draft.authorId ?? null,
        also: draft.also ?? null,
        channel,
      });
    },
    async toAgent(q, agent, draft) {
      const pos = await insertEvent(q, draft);
      await q(notify(`${RECIPIENT_SQL} RETURNING agent_id`), { agent, pos, channel });
    },
    async audience(q, conversation) {
      const rows = await q<{ agent_id: string }>(AUDIENCE_SQL, { conversation });
      return rows.map((r) => r.agent_id);
    },
  };

  const headSql = `SELECT greatest(coalesce((SELECT max(pos) FROM events), 0),
    coalesce((SELECT max(swept_through) FROM events_horizon), 0)) AS head`;
  const listeners = new Set<(wake: Wake) => void>();
  const wake = (agents: Wake) => {
    for (const listener of listeners) listener(agents);
  };
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const listen = () => {
    if (closed || client !== undefined) return;
    const c = db.dedicatedClient();
    client = c;
    const lost = () => {
      if (client !== c) return;
      client = undefined;
      void c.end().catch(() => {});
      if (closed || listeners.size === 0) return;
      // Notices sent while disconnected are lost: reconnect, then make every waiter read again.
      retry = setTimeout(listen, 500);
      retry.unref();
    };
    c.on("error", lost);
    c.on("end", lost);
    c.on("notification", (msg) => {
      if (msg.channel === channel) wake(parseNotice(msg.payload));
    });
    c.connect()
      .then(() => c.query(`LISTEN "${channel}"`))
      .then(() => wake("all"))
      .catch(lost);
  };

  const store: EventsStore = {
    async head() {
      const [row] = await db.query<{ head: number }>(headSql);
      return Number(row?.head ?? 0);
    },
    async horizon() {
      const [row] = await db.query<{ h: number }>(
        "SELECT coalesce(max(swept_through), 0) AS h FROM events_horizon",
      );
      return Number(row?.h ?? 0);
    },
    async page(agent, after, limit) {
      return db.read(async (q) => {
        // Head first, then the rows up to it: everything ≤ head is final (the position lock),
        // so moving the cursor to head when the page is not full skips nothing.
        const [h] = await q<{ head: number }>(headSql);
        const top = Number(h?.head ?? 0);
        const rows = await q<EventRow>(PAGE_SQL, { agent, after, head: top, limit });
        const events = rows.map((row) => ({ pos: Number(row.pos), json: eventJson(row) }));
        const last = events.at(-1);
        return { events, next: rows.length < limit ? top : (last?.pos ?? after) };
      });
    },
    async sweep(before) {
      let deleted = 0;
      for (;;) {
        const n = await db.tx(async (q) => {
          const [cut] = await q<{ pos: number | null }>(
            `SELECT max(pos) AS pos FROM (SELECT pos FROM events WHERE created_at < $1
               ORDER BY pos LIMIT 2000) s`,
            [before],
          );
          if (cut?.pos == null) return 0;
          await q("DELETE FROM event_recipients WHERE pos <= $1", [cut.pos]);
          const gone = await q("DELETE FROM events WHERE pos <= $1 RETURNING 1", [cut.pos]);
          await q(
            `INSERT INTO events_horizon (id, swept_through) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET swept_through =
               greatest(events_horizon.swept_through, EXCLUDED.swept_through)`,
            [cut.pos],
          );
          return gone.length;
        });
        deleted += n;
        if (n < 2000) return deleted;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      listen();
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
  return {
    store,
    writer,
    channel,
    positionLock: () => !unlockedForBench.has(db),
    newEventId: () => eventValues("message.created", "", null, 0)["id"] as string,
  };
}
