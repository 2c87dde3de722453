import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the next requests misbehave, consumed one per request. */
export type Fault =
  | { kind: "status"; status: number; code: string; headers?: Record<string, string> }
  /** SSE: send this many events, then destroy the socket (no clean end). */
  | { kind: "drop-after"; events: number }
  /** SSE: send the start frame, then nothing at all (no keep-alive). */
  | { kind: "silent" }
  /** Answer an SSE request with a JSON page, as a server that ignores `Accept` would. */
  | { kind: "json-only" };

/** One request the wire server saw. */
export interface Seen {
  sse: boolean;
  cursor: string | null;
  lastEventId: string | null;
  wait: number;
  authorization: string | null;
  at: number;
}

/**
 * A loopback HTTP server speaking the events wire protocol (long-poll JSON and SSE framing as in
 * the spec) over an in-memory log, with injectable faults. Cursor `c<n>` = after n events.
 */
export async function startWireServer() {
  const log: { id: string; type: string; conversation_id: string; data: { n: number } }[] = [];
  const waiters = new Set<() => void>();
  const faults: Fault[] = [];
  const seen: Seen[] = [];
  const open = new Set<ServerResponse>();
  let closedSockets = 0;
  const accepted = new Set(["ok"]);

  const wake = () => {
    for (const w of waiters) w();
  };
  const frame = (n: number) => {
    const e = log[n - 1];
    return `id: c${n}\nevent: ${e?.type}\ndata: ${JSON.stringify(e)}\n\n`;
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const sse = (req.headers.accept ?? "").includes("text/event-stream");
    const lastEventId = (req.headers["last-event-id"] as string | undefined) ?? null;
    const cursor = lastEventId ?? url.searchParams.get("cursor");
    const wait = Number(url.searchParams.get("wait") ?? 0);
    const authorization = req.headers.authorization ?? null;
    seen.push({ sse, cursor, lastEventId, wait, authorization, at: performance.now() });
    req.on("close", () => closedSockets++);
    const token = authorization?.replace(/^Bearer /, "") ?? "";
    if (!accepted.has(token)) {
      return send(res, 401, { error: { code: "token_expired", message: "expired", status: 401 } });
    }
    const fault = faults.shift();
    if (fault?.kind === "status") {
      const body = { error: { code: fault.code, message: fault.code, status: fault.status } };
      return send(res, fault.status, body, fault.headers);
    }
    if (cursor === "expired") {
      return send(res, 410, { error: { code: "cursor_expired", message: "old", status: 410 } });
    }
    let at = cursor === null ? log.length : Number(cursor.slice(1));
    if (!sse || fault?.kind === "json-only") {
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const answer = () => {
        const data = log.slice(at, at + limit);
        send(res, 200, { data, next_cursor: `c${at + data.length}` });
      };
      if (at < log.length || wait === 0) return answer();
      const timer = setTimeout(done, wait * 1000);
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        answer();
      }
      waiters.add(done);
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(`retry: 3000\nid: c${at}\n\n`);
    if (fault?.kind === "silent") return;
    open.add(res);
    let budget = fault?.kind === "drop-after" ? fault.events : Infinity;
    const flush = () => {
      while (at < log.length) {
        if (budget-- <= 0) {
          // Let the written frames reach the client first: a reset would discard them.
          setTimeout(() => res.socket?.destroy(), 30);
          return;
        }
        res.write(frame(++at));
      }
    };
    flush();
    waiters.add(flush);
    res.on("close", () => {
      waiters.delete(flush);
      open.delete(res);
    });
  };

  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    faults,
    accepted,
    /** Appends events and wakes held requests and streams. */
    emit(count = 1) {
      for (let i = 0; i < count; i++) {
        const n = log.length + 1;
        const id = `evt_${String(n).padStart(26, "0")}`;
        log.push({ id, type: "message.created", conversation_id: "cnv_1", data: { n } });
      }
      wake();
    },
    /** Open SSE responses right now. */
    openStreams: () => open.size,
    closedSockets: () => closedSockets,
    async close() {
      for (const res of open) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
