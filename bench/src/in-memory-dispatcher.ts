/**
 * An in-memory stand-in for the network, for the client-side instruments (`client-overhead-cpu.ts`,
 * `sdk-ir.ts`): `answerFromMemory()` installs a global undici dispatcher that answers every
 * request with a body shaped like the reference server's, so raw `fetch` and the SDK run all of
 * Node's `fetch` with no socket and no server in the figure.
 */
// Answers shaped like the reference server's (a page of 50 messages, 20 conversations).
const message = (i: number) => ({
  id: `msg_01jf${String(i).padStart(22, "0")}`,
  conversation_id: "cnv_01jf0000000000000000000000",
  seq: i,
  author_id: "agt_01jf0000000000000000000000",
  content: "client overhead: the quick brown fox jumps over the lazy dog",
  content_type: "text/plain",
  reply_to_id: null,
  metadata: null,
  created_at: "2026-12-07T06:00:00.000Z",
  edited_at: null,
  deleted_at: null,
});
const bodies = {
  token: JSON.stringify({
    access_token: "eyJ".padEnd(300, "x"),
    token_type: "Bearer",
    expires_in: 900,
  }),
  send: JSON.stringify(message(61)),
  messages: JSON.stringify({
    data: Array.from({ length: 50 }, (_, i) => message(60 - i)),
    has_more: true,
    next_cursor: "c_60",
  }),
  conversations: JSON.stringify({
    data: Array.from({ length: 20 }, (_, i) => ({
      id: `cnv_01jf${String(i).padStart(22, "0")}`,
      type: "group",
      title: `other ${i}`,
      unread_count: i,
      last_message: message(i),
      created_at: "2026-12-07T06:00:00.000Z",
    })),
    has_more: false,
    next_cursor: null,
  }),
};
const answer = (method: string, path: string): [number, string] => {
  if (path.startsWith("/api/auth/token")) return [200, bodies.token];
  if (path.startsWith("/api/conversations?") || path === "/api/conversations") {
    return [200, bodies.conversations];
  }
  return method === "POST" ? [201, bodies.send] : [200, bodies.messages];
};

interface Handler {
  onConnect?(abort: (error?: Error) => void): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, headers: Buffer[], resume: () => void, text: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[]): void;
  onError?(error: Error): void;
}

// The global dispatcher: what undici's `fetch` dispatches to when given no `dispatcher`, and
// what the SDK's connection canceller forwards to.
export function answerFromMemory(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")] = dispatcher;
}

const dispatcher = {
  dispatch(
    opts: { method: string; path: string; body?: AsyncIterable<unknown> | null },
    handler: Handler,
  ) {
    let aborted: Error | undefined;
    handler.onConnect?.((error) => {
      aborted = error ?? new Error("aborted");
    });
    const read = async () => {
      if (opts.body && Symbol.asyncIterator in opts.body) for await (const _ of opts.body);
    };
    read().then(() =>
      setImmediate(() => {
        if (aborted) return handler.onError?.(aborted);
        const [status, text] = answer(opts.method, opts.path);
        const body = Buffer.from(text);
        handler.onResponseStarted?.();
        handler.onHeaders?.(
          status,
          [
            Buffer.from("content-type"),
            Buffer.from("application/json"),
            Buffer.from("content-length"),
            Buffer.from(String(body.length)),
          ],
          () => {},
          status === 201 ? "Created" : "OK",
        );
        handler.onData?.(body);
        handler.onComplete?.([]);
      }),
    );
    return true;
  },
};
