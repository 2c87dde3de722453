import type { SqliteDatabase } from "../../storage/sqlite/database.js";
import { AUDIENCE_SQL, type EventRow, eventJson, eventValues, newEventId } from "./rules.js";
import type { EventDraft, EventsStore, Wake } from "./store.js";

/**
 * SQLite keeps an event's recipients in its own row (events migration 20261207T0810): `recipients`
 * is their agent ids, each between spaces (` agt_a agt_b `; ids never contain one), resolved when
 * the event is written by the visibility rule of rules.ts `RECIPIENTS_SQL` (the conversation's
 * current members, minus those who blocked the conversation and, for message events, the author,
 * plus `@also`). One INSERT per event whatever the member count, with no second table, index or
 * AUTOINCREMENT counter to update: the fan-out part of a send went from ~47 to ~24 µs one at a
 * time and from ~127 to ~39 µs per event at 100 members in bursts of 10 (apps/server/README.md,
 * Events).
 */
const RECIPIENTS_VALUE = `coalesce((SELECT ' ' || group_concat(agent_id, ' ') || ' '
    FROM (SELECT m.agent_id FROM conversation_members m
      WHERE m.conversation_id = @conversation
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.agent_id
          AND ((b.type = 'conversation' AND b.target_id = @conversation)
            OR (b.type = 'agent' AND b.target_id = CAST(@author AS TEXT))))
      UNION ALL SELECT CAST(@also AS TEXT) WHERE CAST(@also AS TEXT) IS NOT NULL)), ' ')`;

/** An event to every member who may see it, recipients resolved in the INSERT itself. */
export const MEMBERS_EVENT_SQL = `INSERT INTO events
  (id, type, conversation_id, created_at, recipients, data)
  VALUES (@id, @type, @conversation, @created_at, ${RECIPIENTS_VALUE}, @data)
  RETURNING pos, recipients`;

/** {@link RECIPIENTS_VALUE} alone, for a writer that keeps it (a send: see {@link Recipients}). */
const RECIPIENTS_ONLY_SQL = `SELECT ${RECIPIENTS_VALUE}`;

/** An event whose `recipients` the writer passes (positional: the send's hot statement). */
const RECIPIENTS_EVENT_SQL = `INSERT INTO events
  (id, type, conversation_id, created_at, recipients, data) VALUES (?, ?, ?, ?, ?, ?)`;

/** An event for one agent (per-recipient payloads, `read.updated`). */
export const AGENT_EVENT_SQL = `INSERT INTO events
  (id, type, conversation_id, created_at, recipients, data)
  VALUES (@id, @type, @conversation, @created_at, ' ' || @agent || ' ', @data)`;

/**
 * An agent's events after a position, up to the head read before (so none is skipped): a walk of
 * the events' primary key by position, keeping the rows that name the agent.
 */
export const SQLITE_PAGE_SQL = `SELECT pos, id, type, conversation_id, created_at, data FROM events
  WHERE pos > @after AND pos <= @head AND instr(recipients, ' ' || @agent || ' ') > 0
  ORDER BY pos LIMIT @limit`;

/** The agents named by a `recipients` value. */
function agentsOf(recipients: string): string[] {
  const trimmed = recipients.trim();
  return trimmed === "" ? [] : trimmed.split(" ");
}

/**
 * Writes events inside the caller's open write transaction (`db.write`/`db.writeBatched`): the
 * rows commit or roll back with the change they describe, and recipients are woken after COMMIT.
 */
export interface SqliteEventWriter {
  /**
   * One event to every member who may see it (one INSERT, whatever the count). `json` is
   * `JSON.stringify(draft.data)` when the caller already has it (a send reuses it for its tail).
   */
  toMembers(draft: EventDraft, json?: string): void;
  /**
   * Who an event of `conversation` by `author` reaches now (the rule of {@link toMembers}, read
   * in the caller's transaction). A send keeps it between sends (domains/chat/sqlite/send-state.ts)
   * and passes it to {@link toRecipients}: its event is then a plain one-row INSERT, ~7 µs less
   * per send in bursts than resolving the members and their blocks in the INSERT.
   */
  recipients(conversation: string, author: string): Recipients;
  /** One event to `recipients` (from {@link recipients}, still current); `json` as in toMembers. */
  toRecipients(recipients: Recipients, draft: EventDraft, json: string): void;
  /** One event to one agent (payloads that differ per recipient, `read.updated`). */
  toAgent(agent: string, draft: EventDraft): void;
  /** The members a conversation's events reach, for per-recipient payloads. */
  audience(conversation: string): string[];
}

/** An event's recipients: the `recipients` column's value and the agents it names. */
export interface Recipients {
  text: string;
  agents: string[];
}

/** The events store and writer of one SQLite database. */
export interface SqliteEvents {
  store: EventsStore;
  writer: SqliteEventWriter;
}

/**
 * How often a process holding requests checks the file for other processes' commits: every
 * {@link OTHER_PROCESS_CHECK_MS} ms after a check that found one, then, while the file stays
 * quiet, each wait doubles up to {@link OTHER_PROCESS_QUIET_MS}. A held request thus notices
 * another process's commit within 10 ms while the file is busy and within 100 ms after it has
 * been quiet; an idle server with held requests wakes 10 times a second instead of 100 (each
 * wake-up costs the process far more than the ~2 µs check itself: 0.65 % of a core at 10 ms).
 */
export const OTHER_PROCESS_CHECK_MS = 10;
/** The longest wait between two checks while the file is quiet (see {@link OTHER_PROCESS_CHECK_MS}). */
export const OTHER_PROCESS_QUIET_MS = 100;

const byDatabase = new WeakMap<SqliteDatabase, SqliteEvents>();

/**
 * The events store of `db`, shared by every store built on it: the chat and blocks stores write
 * through its writer, the events domain reads and subscribes. On SQLite one process writes at a
 * time (BEGIN IMMEDIATE), so `AUTOINCREMENT` positions are in commit order. Wake-ups of this
 * process's commits are in-process; commits by other processes sharing the file are noticed by
 * `PRAGMA data_version` (it changes only for other connections' commits), checked every
 * {@link OTHER_PROCESS_CHECK_MS} to {@link OTHER_PROCESS_QUIET_MS} ms while a request of this
 * process is held.
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
  const writer: SqliteEventWriter = {
    toMembers(draft, json) {
      const data = json === undefined ? draft.data : null;
      const values = eventValues(draft.type, draft.conversationId, data, draft.now);
      const { recipients } = db.stmt(MEMBERS_EVENT_SQL).get({
        ...values,
        data: json ?? values["data"],
        author: draft.authorId ?? null,
        also: draft.also ?? null,
      }) as { recipients: string };
      const agents = agentsOf(recipients);
      if (agents.length === 0) return;
      db.afterCommit(() => wake(agents));
    },
    recipients(conversation, author) {
      const text = db
        .stmt(RECIPIENTS_ONLY_SQL)
        .pluck()
        .get({ conversation, author, also: null }) as string;
      return { text, agents: agentsOf(text) };
    },
    toRecipients({ text, agents }, draft, json) {
      db.stmt(RECIPIENTS_EVENT_SQL).run(
        newEventId(),
        draft.type,
        draft.conversationId,
        draft.now,
        text,
        json,
      );
      if (agents.length > 0) db.afterCommit(() => wake(agents));
    },
    toAgent(agent, draft) {
      const values = eventValues(draft.type, draft.conversationId, draft.data, draft.now);
      db.stmt(AGENT_EVENT_SQL).run({ ...values, agent });
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
  /** Whether another connection committed since the last look (its events are then woken). */
  const look = (): boolean => {
    const version = db.dataVersion();
    if (version === seen.version && db.generation === seen.generation) return false;
    const top = head();
    const since = seen.head;
    seen = { generation: db.generation, version, head: top };
    if (top <= since) return true;
    const rows = db
      .stmt("SELECT recipients FROM events WHERE pos > ? AND pos <= ?")
      .pluck()
      .all(since, top) as string[];
    const agents = new Set(rows.flatMap(agentsOf));
    if (agents.size > 0) wake([...agents]);
    return true;
  };
  let delay = OTHER_PROCESS_CHECK_MS;
  const check = () => {
    let changed = false;
    try {
      changed = look();
    } catch {
      // The file is unavailable right now: the next check tries again.
    }
    delay = changed ? OTHER_PROCESS_CHECK_MS : Math.min(delay * 2, OTHER_PROCESS_QUIET_MS);
    timer = setTimeout(check, delay);
    timer.unref();
  };
  const watch = (active: boolean) => {
    watchers += active ? 1 : -1;
    if (watchers > 0 && timer === undefined) {
      seen = {
        generation: db.generation,
        version: db.dataVersion(),
        head: head(),
      };
      delay = OTHER_PROCESS_CHECK_MS;
      timer = setTimeout(check, delay);
      timer.unref();
    } else if (watchers <= 0 && timer !== undefined) {
      clearTimeout(timer);
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
      const rows = db.stmt(SQLITE_PAGE_SQL).all({ agent, after, head: top, limit }) as EventRow[];
      const events = rows.map((row) => ({ pos: row.pos, json: eventJson(row) }));
      const last = events.at(-1);
      return { events, next: rows.length < limit ? top : (last?.pos ?? after) };
    },
    async sweep(before) {
      // In slices, each its own short write: a sweep never holds the writer for long.
      let deleted = 0;
      for (;;) {
        const { gone, full } = db.write(() => {
          // The oldest events, by position (no index by time: positions are written in time
          // order, so the events past the window are a prefix; one a little out of order only
          // waits for the next sweep).
          const oldest = db
            .stmt(
              `SELECT pos, created_at, type = 'position.placeholder' FROM events
               ORDER BY pos LIMIT 2000`,
            )
            .raw(true)
            .all() as [number, number, number][];
          let cut: number | undefined;
          let real = 0;
          for (const [pos, createdAt, placeholder] of oldest) {
            if (createdAt >= before) break;
            cut = pos;
            if (!placeholder) real++;
          }
          // Only a placeholder left (see below): nothing to sweep.
          if (cut === undefined || real === 0) return { gone: 0, full: false };
          const gone = db.stmt("DELETE FROM events WHERE pos <= ?").run(cut).changes;
          // Positions come from the rowid (max + 1): when the newest event went, a placeholder
          // that names no recipient keeps its position, so none is ever handed out twice.
          db.stmt(
            `INSERT INTO events (pos, id, type, conversation_id, created_at, recipients, data)
             SELECT @pos, 'evt_position_placeholder', 'position.placeholder', '', 0, ' ', 'null'
             WHERE NOT EXISTS (SELECT 1 FROM events WHERE pos > @pos)`,
          ).run({ pos: cut });
          db.stmt(
            `INSERT INTO events_horizon (id, swept_through) VALUES (1, @pos)
             ON CONFLICT (id) DO UPDATE SET swept_through = max(swept_through, @pos)`,
          ).run({ pos: cut });
          return { gone, full: oldest.length === 2000 && cut === oldest[1999]?.[0] };
        });
        deleted += gone;
        if (!full) return deleted;
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
