import { describe, expect, it } from "vitest";
import { readSse, type SseItem, SseParser } from "./sse-parser.js";

/** Feeds `chunks` to one parser, returning every item. */
const parse = (...chunks: string[]): SseItem[] => {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
};
const messages = (items: SseItem[]) =>
  items.flatMap((i) => (i.kind === "message" ? [i.message] : []));

describe("SseParser", () => {
  it("parses the spec's framing: retry, start id, an event, a keep-alive", () => {
    const items = parse(
      'retry: 3000\nid: c0\n\nid: c1\nevent: message.created\ndata: {"a":1}\n\n: keep-alive\n\n',
    );
    expect(items).toEqual([
      { kind: "retry", ms: 3000 },
      { kind: "id", id: "c0" },
      { kind: "message", message: { event: "message.created", data: '{"a":1}', id: "c1" } },
      { kind: "comment", text: "keep-alive" },
    ]);
  });

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ])("accepts %s line endings, joining multi-line data with LF", (_name, eol) => {
    const text = ["id: 7", "data: one", "data:two", "data", "", ""].join(eol);
    expect(messages(parse(text))).toEqual([{ event: "message", data: "one\ntwo\n", id: "7" }]);
  });

  it("handles every chunking, a CRLF split across chunks included", () => {
    const text = "\uFEFFid: a\r\nevent: x\r\ndata: é😀\r\n\r\nid: b\rdata: y\r\r";
    for (let cut = 0; cut <= text.length; cut++) {
      const got = messages(parse(text.slice(0, cut), text.slice(cut)));
      expect(got, `cut at ${cut}`).toEqual([
        { event: "x", data: "é😀", id: "a" },
        { event: "message", data: "y", id: "b" },
      ]);
    }
  });

  it("strips one leading BOM only, and only one space after the colon", () => {
    expect(messages(parse("\uFEFFdata:  two spaces\n\n"))).toEqual([
      { event: "message", data: " two spaces", id: "" },
    ]);
  });

  it("keeps the last id across frames, ignores ids with NUL, bad retry and unknown fields", () => {
    const items = parse("id: 1\ndata: a\n\ndata: b\n\nid: x\0y\nretry: 12a\nfoo: bar\ndata: c\n\n");
    expect(messages(items).map((m) => m.id)).toEqual(["1", "1", "1"]);
    expect(items.some((i) => i.kind === "retry")).toBe(false);
  });

  it("does not dispatch an unterminated last frame", () => {
    expect(messages(parse("data: complete\n\ndata: partial\n"))).toHaveLength(1);
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split across byte chunks and cancels the stream when stopped early", async () => {
    const bytes = new TextEncoder().encode("data: héllo\n\ndata: second\n\n");
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(Uint8Array.of(b));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const item of readSse(body)) {
      expect(item).toMatchObject({ kind: "message", message: { data: "héllo" } });
      break;
    }
    expect(cancelled).toBe(true);
  });
});
