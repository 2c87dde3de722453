/**
 * Stream cursors. A long-poll page carries one `next_cursor` for all its events, so the cursor
 * after an event in the middle of a page is written `<server cursor>~<n>`: "the first n events
 * after that server cursor were delivered". The SDK skips those n on resume, which keeps resuming
 * exactly-once whichever event a bot last persisted. Server cursors never contain `~`
 * (base64url and `.`).
 */
export interface StreamPosition {
  /** The server cursor to request from (`undefined`: start at now). */
  server: string | undefined;
  /** Events after `server` already delivered. */
  skip: number;
}

/** Prefix of the cursors the fallback (no `/api/events` on the server) keeps. */
export const FALLBACK_PREFIX = "fb1.";

/** Splits a stream cursor into the server cursor and the count to skip. */
export function parsePosition(cursor: string | undefined): StreamPosition {
  if (!cursor) return { server: undefined, skip: 0 };
  const tilde = cursor.lastIndexOf("~");
  if (tilde === -1) return { server: cursor, skip: 0 };
  const skip = Number(cursor.slice(tilde + 1));
  if (!Number.isInteger(skip) || skip < 0) return { server: cursor, skip: 0 };
  return { server: cursor.slice(0, tilde), skip };
}

/** The stream cursor for a position. */
export function formatPosition(server: string, skip: number): string {
  return skip > 0 ? `${server}~${skip}` : server;
}

/** Whether `cursor` was issued by the fallback rather than the server. */
export function isFallbackCursor(cursor: string | undefined): boolean {
  return cursor?.startsWith(FALLBACK_PREFIX) ?? false;
}

/** What the fallback remembers: per conversation the last message delivered, and a time mark. */
export interface FallbackState {
  /** `last_message_at` high-water of the previous conversation listing (server time). */
  since: string | null;
  /** Conversation id → id of its last delivered message (`null`: none yet). */
  seen: Record<string, string | null>;
}

const toBase64Url = (text: string) =>
  btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (text: string) => atob(text.replace(/-/g, "+").replace(/_/g, "/"));

/** Encodes fallback state as an opaque cursor (ASCII ids and timestamps only). */
export function encodeFallback(state: FallbackState): string {
  return FALLBACK_PREFIX + toBase64Url(JSON.stringify({ s: state.since, c: state.seen }));
}

/** Decodes a fallback cursor; throws `TypeError` when it is not one. */
export function decodeFallback(cursor: string): FallbackState {
  const parsed = JSON.parse(fromBase64Url(cursor.slice(FALLBACK_PREFIX.length))) as {
    s?: unknown;
    c?: unknown;
  };
  if (typeof parsed.c !== "object" || parsed.c === null) throw new TypeError("bad fallback cursor");
  return {
    since: typeof parsed.s === "string" ? parsed.s : null,
    seen: { ...parsed.c } as FallbackState["seen"],
  };
}
