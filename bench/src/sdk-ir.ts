/**
 * Instructions per call of raw `fetch` vs the SDK on an in-memory undici dispatcher (no socket,
 * no server), for valgrind: a count the machine's load does not move. Bundle it first (the SDK
 * is TypeScript), then count only the measured calls, after a long warm-up:
 *
 *   esbuild src/sdk-ir.ts --bundle --platform=node --format=esm --outfile=/tmp/ir.mjs
 *   valgrind --tool=callgrind --instr-atstart=no node --single-threaded --predictable \
 *     --max-semi-space-size=16 --min-semi-space-size=16 /tmp/ir.mjs <which> <N> <warm-up> pause
 *   # once it prints "WARM <pid>":  callgrind_control -i on <pid>
 *
 * <which>: raw-convs | raw-msgs (raw `fetch` + `json()`), sdk-convs | sdk-msgs
 * (`list().pages().next()`), sdk-convsfp (`firstPage()`), sdk-convsget (`client.GET`).
 * Without `pause` everything is counted (warm-up included; difference two N to get per call).
 * Read GC separately (callgrind_annotate: Scavenger*, MarkCompact*, Sweeper*): one mark-compact
 * in or out of a 1,000-call window moves the per-call figure by 60-120 k instructions.
 */
import { createFluxraClient } from "@fluxra/sdk";

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
(globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")] = {
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

const base = "http://127.0.0.1:8080";
const auth = { authorization: `Bearer ${"eyJ".padEnd(300, "x")}` };
const ok = async (res: Response) => {
  if (!res.ok) throw new Error("x");
  return res.json();
};
const [which, n] = [process.argv[2] as string, Number(process.argv[3])];
const cid = "cnv_01jf0000000000000000000000";
let fn: () => Promise<unknown>;
if (which.startsWith("raw")) {
  const url =
    which === "raw-convs"
      ? `${base}/api/conversations`
      : `${base}/api/conversations/${cid}/messages`;
  fn = () => fetch(url, { headers: auth }).then(ok);
} else {
  const [kind, what] = which.split("-");
  void kind;
  const create = createFluxraClient;
  const sdk = create({ baseUrl: base, apiKey: `fxk_${"a".repeat(40)}`, maxRetries: 0 });
  await sdk.getAccessToken();
  fn =
    what === "convsfp"
      ? () => sdk.conversations.list().firstPage()
      : what === "convsget"
        ? () => sdk.GET("/api/conversations", {})
        : what === "convs"
          ? () => sdk.conversations.list().pages().next()
          : () => sdk.messages.list(cid).pages().next();
}
const warm = Number(process.argv[4] ?? 1500);
for (let i = 0; i < warm; i++) await fn();
if (process.argv[5] === "pause") {
  // For `valgrind --tool=callgrind --instr-atstart=no`: switch instrumentation on now
  // (`callgrind_control -i on <pid>`), so only the measured calls are counted.
  process.stderr.write(`WARM ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, 4000));
}
for (let i = 0; i < n; i++) await fn();
