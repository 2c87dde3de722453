/** One dispatched Server-Sent Event (WHATWG HTML "event stream interpretation"). */
export interface SseMessage {
  /** `event:` field; `"message"` when the frame had none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last event ID after this frame (persists across frames, like `EventSource.lastEventId`). */
  id: string;
}

/** What the parser reports: a dispatched frame, or a field that changes reconnection state. */
export type SseItem =
  | { kind: "message"; message: SseMessage }
  /** An `id:` frame without data: the position moved (the spec's start frame). */
  | { kind: "id"; id: string }
  | { kind: "retry"; ms: number }
  | { kind: "comment"; text: string };

/**
 * An incremental event-stream parser: feed it decoded text in any chunking; it handles LF, CRLF
 * and lone CR line endings (a CR at a chunk end waits for the next chunk to know whether an LF
 * follows), a leading BOM, comments, multi-line `data`, `id` (ignored when it contains NUL) and
 * `retry` (digits only). A frame with no data is not dispatched, but its `id` still counts.
 */
export class SseParser {
  #buffer = "";
  #started = false;
  #pendingCr = false;
  #data: string[] = [];
  #event = "";
  #lastId = "";
  #idSeen = false;

  /** Parses `chunk`, returning the items completed by it. */
  push(chunk: string): SseItem[] {
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (text.startsWith("\n")) text = text.slice(1);
    }
    this.#buffer += text;
    const out: SseItem[] = [];
    let start = 0;
    for (;;) {
      const cr = this.#buffer.indexOf("\r", start);
      const lf = this.#buffer.indexOf("\n", start);
      if (cr === -1 && lf === -1) break;
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      const line = this.#buffer.slice(start, end);
      if (end === cr && cr === this.#buffer.length - 1) {
        // A CR at the end of what we have: the LF of a CRLF may be in the next chunk.
        this.#pendingCr = true;
        start = end + 1;
        this.#line(line, out);
        break;
      }
      start = end + (end === cr && this.#buffer.charAt(end + 1) === "\n" ? 2 : 1);
      this.#line(line, out);
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /** The last event ID seen so far (the value to resume from). */
  get lastEventId(): string {
    return this.#lastId;
  }

  #line(line: string, out: SseItem[]): void {
    if (line === "") {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(":")) {
      out.push({ kind: "comment", text: line.slice(1).replace(/^ /, "") });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.#data.push(value);
        break;
      case "event":
        this.#event = value;
        break;
      case "id":
        if (!value.includes("\0")) {
          this.#lastId = value;
          this.#idSeen = true;
        }
        break;
      case "retry":
        if (/^\d+$/.test(value)) out.push({ kind: "retry", ms: Number(value) });
        break;
      default:
      // Unknown fields are ignored, as the standard says.
    }
  }

  #dispatch(out: SseItem[]): void {
    const idSeen = this.#idSeen;
    this.#idSeen = false;
    if (this.#data.length === 0) {
      this.#event = "";
      if (idSeen) out.push({ kind: "id", id: this.#lastId });
      return;
    }
    const message = {
      event: this.#event || "message",
      data: this.#data.join("\n"),
      id: this.#lastId,
    };
    this.#data = [];
    this.#event = "";
    out.push({ kind: "message", message });
  }
}

/**
 * Reads a byte stream as Server-Sent Events. Decoding is streaming UTF-8, so a character split
 * across chunks survives. Ends when the stream ends (an unterminated last frame is dropped, as
 * the standard requires).
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  onChunk?: () => void,
): AsyncGenerator<SseItem, void, undefined> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
  } finally {
    // Cancelling (not just releasing) closes the connection when the consumer stops early.
    await reader.cancel().catch(() => {});
  }
}
