/** Test helpers for the Events tests: feed reads through the public API (spec-checked). */
import type { Json, TestAgent, TestApp, TestResponse } from "../../testing/index.js";

type Caller = Pick<TestApp, "request">;

/** One long-poll read of `agent`'s feed. */
export function poll(
  t: Caller,
  agent: TestAgent,
  query: { cursor?: string; wait?: number; limit?: number } = {},
): Promise<TestResponse> {
  const params = new URLSearchParams();
  if (query.cursor !== undefined) params.set("cursor", query.cursor);
  if (query.wait !== undefined) params.set("wait", String(query.wait));
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  const qs = params.toString();
  return t.request(`/api/events${qs ? `?${qs}` : ""}`, { token: agent.accessToken });
}

/** A cursor at "now" for `agent`. */
export async function nowCursor(t: Caller, agent: TestAgent): Promise<string> {
  const res = await poll(t, agent);
  if (res.status !== 200) throw new Error(`events answered ${res.status}: ${res.text}`);
  return res.body.next_cursor;
}

/** Every event after `cursor` (following full pages), and the final cursor. */
export async function drain(
  t: Caller,
  agent: TestAgent,
  cursor: string,
  limit = 100,
): Promise<{ events: Json[]; cursor: string }> {
  const events: Json[] = [];
  let at = cursor;
  for (;;) {
    const res = await poll(t, agent, { cursor: at, limit });
    if (res.status !== 200) throw new Error(`events answered ${res.status}: ${res.text}`);
    events.push(...res.body.data);
    at = res.body.next_cursor;
    if (res.body.data.length < limit) return { events, cursor: at };
  }
}

/** `type` and a short summary of each event, for readable assertions. */
export function summary(events: Json[]): string[] {
  return events.map((e) => {
    const d = e.data;
    const what = d.content ?? d.agent_id ?? d.title ?? d.last_read_message_id ?? "";
    return `${e.type}:${what}`;
  });
}

/** One parsed SSE frame. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/**
 * Reads SSE frames from a streaming response body, handing each to `onFrame` until it returns
 * true (or the stream ends). Returns whether the stream ended.
 */
export async function readFrames(
  body: ReadableStream<Uint8Array>,
  onFrame: (frame: SseFrame) => boolean | undefined,
): Promise<{ ended: boolean; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { ended: true, reader };
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const frame: SseFrame = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) frame.comment = line.slice(1).trim();
        const m = /^(id|event|data|retry): (.*)$/.exec(line);
        if (m) frame[m[1] as "id"] = m[2] as string;
      }
      if (onFrame(frame)) return { ended: false, reader };
      cut = buffer.indexOf("\n\n");
    }
  }
}
