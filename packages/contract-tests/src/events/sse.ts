import { createGroup, send } from "../chat/fixtures.js";
import type { CheckContext, TestAgent } from "../core/context.js";
import { CheckFailure, ensure, expectEqual } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { poll } from "./feed-helpers.js";

const section = "spec Events (preview) · GET /api/events (text/event-stream)";

/** One frame: its `field: value` lines in order (comments dropped, counted in `comments`). */
interface Frame {
  fields: [string, string][];
  comments: number;
}

/**
 * Opens the feed as Server-Sent Events (unrecorded: the recorder would wait for the end of the
 * body) and reads it frame by frame, strictly: LF or CRLF line ends, `field: value` lines.
 */
async function openStream(
  ctx: CheckContext,
  agent: TestAgent,
  headers: Record<string, string> = {},
) {
  const controller = new AbortController();
  const res = await ctx.streamFetch(
    new Request(new URL("/api/events", ctx.baseUrl), {
      headers: { accept: "text/event-stream", authorization: `Bearer ${agent.token}`, ...headers },
      signal: controller.signal,
    }),
  );
  const type = res.headers.get("content-type") ?? "";
  if (res.status !== 200 || !type.startsWith("text/event-stream") || !res.body) {
    controller.abort();
    throw new CheckFailure(
      `the SSE request answered ${res.status} ${type} (expected 200 text/event-stream)`,
    );
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let comments = 0;
  const next = async (ms = 5000): Promise<Frame> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const end = buffer.search(/\r?\n\r?\n/);
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        const fields: [string, string][] = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(":")) comments++;
          else {
            const colon = line.indexOf(":");
            fields.push(
              colon === -1
                ? [line, ""]
                : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, "")],
            );
          }
        }
        if (fields.length > 0) return { fields, comments };
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new CheckFailure(
          `no complete SSE frame within ${ms} ms (got ${JSON.stringify(buffer.slice(0, 200))})`,
        );
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new CheckFailure(`no complete SSE frame within ${ms} ms`)), left),
        ),
      ]);
      if (chunk.done) throw new CheckFailure("the SSE stream ended");
      buffer += chunk.value;
    }
  };
  return { next, close: () => controller.abort() };
}

const field = (frame: Frame, name: string) =>
  frame.fields.filter(([k]) => k === name).map(([, v]) => v);

/** The event frame's cursor and parsed event, checking its framing. */
function eventFrame(frame: Frame) {
  const [id] = field(frame, "id");
  const [type] = field(frame, "event");
  const data = field(frame, "data");
  ensure(id && type, `an event frame has id: and event: (got ${JSON.stringify(frame.fields)})`);
  expectEqual(data.length, 1, "data: lines of an event frame (the event as JSON on one line)");
  const event = JSON.parse(data[0] ?? "");
  expectEqual(event.type, type, "the frame's event: and the JSON's type");
  return { id, event };
}

/** The feed as Server-Sent Events. */
export const sseRules = defineRules("events", section, [
  {
    id: "sse-framing-and-resume",
    title:
      "SSE opens with retry: and an id-only start frame; each event frame carries id (cursor after it), event (its type) and data (JSON); Last-Event-ID resumes right after that frame",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      await poll(ctx, b); // skips the check where the feed is not served
      const g = await createGroup(ctx, a, [b]);
      const stream = await openStream(ctx, b);
      let first: { id: string; event: { data: { id: string } } };
      let second: { id: string; event: { data: { id: string } } };
      const sent: string[] = [];
      try {
        const start = await stream.next();
        ensure(
          /^\d+$/.test(field(start, "retry")[0] ?? ""),
          `the stream opens with retry: <ms> (got ${JSON.stringify(start.fields)})`,
        );
        ensure(
          field(start, "id").length === 1 && field(start, "data").length === 0,
          "the start frame holds an id: and no data:",
        );
        sent.push((await send(a, g.id, "one")).id, (await send(a, g.id, "two")).id);
        first = eventFrame(await stream.next());
        second = eventFrame(await stream.next());
      } finally {
        stream.close();
      }
      expectEqual(
        [first.event.data.id, second.event.data.id],
        sent,
        "the streamed messages, in order",
      );
      const resumed = await openStream(ctx, b, { "last-event-id": first.id });
      try {
        const start = await resumed.next();
        expectEqual(field(start, "id"), [first.id], "the resumed stream's start position");
        const again = eventFrame(await resumed.next());
        expectEqual(
          again.event.data.id,
          second.event.data.id,
          "the first event after Last-Event-ID",
        );
        expectEqual(again.id, second.id, "its cursor");
      } finally {
        resumed.close();
      }
    },
  },
]);
