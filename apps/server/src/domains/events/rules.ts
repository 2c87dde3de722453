import { systemClock, toTimestamp } from "../../platform/clock.js";
import { createIdGenerator } from "../../platform/ids.js";
import type { EventType, Wake } from "./store.js";

/**
 * Pure rules of the event feed shared by both backends and the HTTP layer: the SQL that decides
 * who receives an event (the REST visibility rules, evaluated when the event is written), how an
 * event row becomes the API's JSON, cursors, notices and SSE frames.
 */

/** The cursor scope of an agent's feed: a cursor issued to one agent is refused for another. */
export const cursorScope = (agent: string): string => `events:${agent}`;

/** Parses a decoded cursor position; anything but a non-negative integer is not ours. */
export function parsePosition(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return undefined;
  return Number(text);
}

/** A cursor at `position` is expired when events after it were swept. */
export const isExpired = (position: number, horizon: number): boolean => position < horizon;

/**
 * Recipients of an event of a conversation: its current members, minus those who blocked the
 * conversation and (message events) those who blocked the author, plus `@also` (the agent that
 * just left or was removed, which gets that `member.removed` as its last event there). One
 * statement whatever the member count; `RETURNING` names them for the wake-up. PostgreSQL's
 * `fluxra_send_messages` (chat migration 20261207T0400) repeats this rule for `message.created`:
 * change both together.
 */
export const RECIPIENTS_SQL = `INSERT INTO event_recipients (agent_id, pos)
  SELECT m.agent_id, CAST(@pos AS BIGINT) FROM conversation_members m
  WHERE m.conversation_id = @conversation
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.agent_id
      AND ((b.type = 'conversation' AND b.target_id = @conversation)
        OR (b.type = 'agent' AND b.target_id = CAST(@author AS TEXT))))
  UNION ALL SELECT CAST(@also AS TEXT), CAST(@pos AS BIGINT) WHERE CAST(@also AS TEXT) IS NOT NULL
  RETURNING agent_id`;

/** One recipient named by the writer (per-recipient payloads, `read.updated`). */
export const RECIPIENT_SQL = "INSERT INTO event_recipients (agent_id, pos) VALUES (@agent, @pos)";

/** The event row; `pos` comes from the table's own counter. */
export const EVENT_INSERT_SQL = `INSERT INTO events (id, type, conversation_id, created_at, data)
  VALUES (@id, @type, @conversation, @created_at, @data) RETURNING pos`;

/** Members of a conversation who see its events (for per-recipient payloads). */
export const AUDIENCE_SQL = `SELECT m.agent_id FROM conversation_members m
  WHERE m.conversation_id = @conversation
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.agent_id
      AND b.type = 'conversation' AND b.target_id = @conversation)
  ORDER BY m.agent_id`;

/**
 * An agent's events after a position, up to the head read before (so none is skipped): a walk of
 * the recipients' primary key by position, keeping the agent's rows.
 */
export const PAGE_SQL = `SELECT e.pos, e.id, e.type, e.conversation_id, e.created_at, e.data
  FROM event_recipients r JOIN events e ON e.pos = r.pos
  WHERE r.agent_id = @agent AND r.pos > @after AND r.pos <= @head
  ORDER BY r.pos LIMIT @limit`;

/** A stored event row. */
export interface EventRow {
  pos: number;
  id: string;
  type: string;
  conversation_id: string;
  created_at: number;
  data: string;
}

/** The API's `Event` JSON of a row (its `data` is stored as JSON text: not parsed again). */
export function eventJson(row: EventRow): string {
  return `{"id":${JSON.stringify(row.id)},"type":${JSON.stringify(row.type)},"created_at":"${toTimestamp(Number(row.created_at))}","conversation_id":${JSON.stringify(row.conversation_id)},"data":${row.data}}`;
}

const ids = createIdGenerator(systemClock);

/** A new event id (the generator {@link eventValues} uses: ids stay monotonic). */
export const newEventId = (): string => ids.next("evt");

/** The values of a new event row. */
export function eventValues(
  type: EventType,
  conversation: string,
  data: unknown,
  now: number,
): Record<string, unknown> {
  return {
    id: newEventId(),
    type,
    conversation,
    created_at: now,
    data: JSON.stringify(data),
  };
}

/** NOTIFY payloads must stay under 8000 bytes: beyond this, wake everyone instead. */
const noticeLimit = 7000;

/** The notice naming an event's recipients (`*` = wake everyone). */
export function noticeOf(agents: string[]): string {
  const text = agents.join(",");
  return text.length > noticeLimit ? "*" : text;
}

/** Reads a notice written by {@link noticeOf}. */
export function parseNotice(payload: string | undefined): Wake {
  if (payload === undefined || payload === "*" || payload === "") return "all";
  return payload.split(",");
}

/** The SSE frame of one event: `id:` is the cursor after it. */
export function sseEventFrame(cursor: string, type: string, json: string): string {
  return `id: ${cursor}\nevent: ${type}\ndata: ${json}\n\n`;
}

/** The frame opening a stream: reconnect delay and the start position. */
export function sseStartFrame(cursor: string): string {
  return `retry: 3000\nid: ${cursor}\n\n`;
}

/** The heartbeat comment. */
export const SSE_KEEP_ALIVE = ": keep-alive\n\n";
