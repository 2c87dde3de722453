import type { SqliteDatabase } from "../../storage/sqlite/database.js";
import {
  AUDIENCE_SQL,
  EVENT_INSERT_SQL,
  type EventRow,
  eventJson,
  eventValues,
  PAGE_SQL,
  RECIPIENT_SQL,
  RECIPIENTS_SQL,
} from "./rules.js";
import type { EventDraft, EventsStore, Wake } from "./store.js";

/**
 * Writes events inside the caller's open write transaction (`db.write`/`db.writeBatched`): the
 * rows commit or roll back with the change they describe, and recipients are woken after COMMIT.
 */
export interface SqliteEventWriter {
  /** One event to every member who may see it (one INSERT … SELECT, whatever the count). */
  toMembers(draft: EventDraft): void;
  /** One event to one agent (payloads that differ per recipient, `read.updated`). */
  toAgent(agent: string, draft: EventDraft): void;
  /** The members a conversation's events reach, for per-recipient payloads. */
  audience(conversation: string): string[];
}

/** The events store and writer of one SQLite database. */
export interface SqliteEvents {
  store: EventsStore;
  writer: SqliteEventWriter;
}

/** How often a process holding requests checks the file for other processes' commits. */
export const OTHER_PROCESS_CHECK_MS = 10;

const byDatabase = new WeakMap<SqliteDatabase, SqliteEvents>();

/**
 * The events store of `db`, shared by every store built on it: the chat and blocks stores write
 * through its writer, the events domain reads and subscribes. On SQLite one process writes at a
 * time (BEGIN IMMEDIATE), so `AUTOINCREMENT` positions are in commit order. Wake-ups of this
 * process's commits are in-process; commits by other processes sharing the file are noticed by
 * `PRAGMA data_version` (it changes only for other connections' commits), checked every
 * {@link OTHER_PROCESS_CHECK_MS} ms while a request of this process is held.
 */
export function sqliteEvents(db: SqliteDatabase): SqliteEvents {
  let events = byDatabase.get(db);
  if (events === undefined) {
    events = createSqliteEvents(db);
    byDatabase.set(db, events);
  }
  return events;
}

function createSqliteEvents(db: SqliteDatabase): SqliteEvents {
  const listeners = new Set<(wake: Wake) => void>();
  const wake = (agents: Wake) => {
    for (const listener of listeners) listener(agents);
  };
  const insertEvent = (draft: EventDraft): number => {
    const values = eventValues(draft.type, draft.conversationId, draft.data, draft.now);
    return (db.stmt(EVENT_INSERT_SQL).get(values) as { pos: number }).pos;
  };
  const writer: SqliteEventWriter = {
    toMembers(draft) {
      const pos = insertEvent(draft);
      const rows = db.stmt(RECIPIENTS_SQL).all({
        pos,
        conversation: draft.conversationId,
        author: draft.authorId ?? null,
        also: draft.also ?? null,
      }) as { agent_id: string }[];
      if (rows.length === 0) return;
      db.afterCommit(() => wake(rows.map((r) => r.agent_id)));
    },
    toAgent(agent, draft) {
      const pos = insertEvent(draft);
      db.stmt(RECIPIENT_SQL).run({ agent, pos });
      db.afterCommit(() => wake([agent]));
    },
    audience(conversation) {
      return (db.stmt(AUDIENCE_SQL).all({ conversation }) as { agent_id: string }[]).map(
        (r) => r.agent_id,
      );
    },
  };
  const head = () => {
    const row = db
      .stmt(
        `SELECT max(coalesce((SELECT max(pos) FROM events), 0),
           coalesce((SELECT max(swept_through) FROM events_horizon), 0)) AS head`,
      )
      .get() as { head: number | null };
    return row.head ?? 0;
  };
  const horizon = () =>
    (
      db.stmt("SELECT coalesce(max(swept_through), 0) AS h FROM events_horizon").get() as {
        h: number;
      }
    ).h;
  // Other processes' commits: while held requests exist, compare `PRAGMA data_version` on a
  // short unref'd timer (about a microsecond a check); when it moved, wake the recipients of
  // the positions committed since the last look (ours included: a spurious re-read is harmless).
  let watchers = 0;
  let timer: NodeJS.Timeout | undefined;
  let seen = { generation: -1, version: -1, head: 0 };
  const look = () => {
    const version = db.dataVersion();
    if (version === seen.version && db.generation === seen.generation) return;
    const top = head();
    const since = seen.head;
    seen = { generation: db.generation, version, head: top };
    if (top <= since) return;
    const rows = db
      .stmt("SELECT DISTINCT agent_id FROM event_recipients WHERE pos > ? AND pos <= ?")
      .all(since, top) as { agent_id: string }[];
    if (rows.length > 0) wake(rows.map((r) => r.agent_id));
  };
  const watch = (active: boolean) => {
    watchers += active ? 1 : -1;
    if (watchers > 0 && timer === undefined) {
      seen = {
        generation: db.generation,
        version: db.dataVersion(),
        head: head(),
      };
      timer = setInterval(() => {
        try {
          look();
        } catch {
          // The file is unavailable right now: the next check tries again.
        }
      }, OTHER_PROCESS_CHECK_MS);
      timer.unref();
    } else if (watchers <= 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
      watchers = 0;
    }
  };
  const store: EventsStore = {
    async head() {
      return head();
    },
    async horizon() {
      return horizon();
    },
    async page(agent, after, limit) {
      const top = head();
      const rows = db.stmt(PAGE_SQL).all({ agent, after, head: top, limit }) as EventRow[];
      const events = rows.map((row) => ({ pos: row.pos, json: eventJson(row) }));
      const last = events.at(-1);
      return { events, next: rows.length < limit ? top : (last?.pos ?? after) };
    },
    async sweep(before) {
      // In slices, each its own short write: a sweep never holds the writer for long.
      let deleted = 0;
      for (;;) {
        const n = db.write(() => {
          const cut = db
            .stmt(
              `SELECT max(pos) AS pos FROM (SELECT pos FROM events WHERE created_at < ?
                 ORDER BY pos LIMIT 2000)`,
            )
            .get(before) as { pos: number | null };
          if (cut.pos === null) return 0;
          db.stmt("DELETE FROM event_recipients WHERE pos <= ?").run(cut.pos);
          const gone = db.stmt("DELETE FROM events WHERE pos <= ?").run(cut.pos).changes;
          db.stmt(
            `INSERT INTO events_horizon (id, swept_through) VALUES (1, @pos)
             ON CONFLICT (id) DO UPDATE SET swept_through = max(swept_through, @pos)`,
          ).run({ pos: cut.pos });
          return gone;
        });
        deleted += n;
        if (n < 2000) return deleted;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch,
    async close() {
      listeners.clear();
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      watchers = 0;
    },
  };
  return { store, writer };
}
