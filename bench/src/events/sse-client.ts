/** A minimal SSE subscriber for the Events bench: calls `onEvent` with each event frame's data. */
export interface Subscriber {
  /** Resolves once the start frame arrived (the stream is held by the server). */
  ready: Promise<void>;
  close(): void;
}

/** Opens `GET /api/events` as a stream with `token`; `onEvent` sees each event's JSON text. */
export function subscribe(
  base: string,
  token: string,
  onEvent: (data: string) => void,
): Subscriber {
  const controller = new AbortController();
  let started: () => void = () => {};
  let failed: (err: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  ready.catch(() => {}); // a stream closed before anyone awaited `ready` is not an error
  void (async () => {
    try {
      const res = await fetch(`${base}/api/events`, {
        headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
        signal: controller.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (frame.startsWith("retry:")) started();
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (data !== undefined) onEvent(data);
          cut = buffer.indexOf("\n\n");
        }
      }
      failed(new Error("the stream ended before its start frame"));
    } catch (err) {
      // Aborted by close(), or refused before the start frame (then `ready` rejects: a bench
      // waiting for its streams fails instead of hanging).
      failed(err);
    }
  })();
  return { ready, close: () => controller.abort() };
}

/** p50 and p99 of `samples` (ms). */
export function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Sends one message; resolves with its id. */
export async function sendOne(base: string, token: string, conversation: string, text: string) {
  const res = await fetch(`${base}/api/conversations/${conversation}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ content: text }),
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`send → ${res.status}`);
  return body.id;
}

/** Resident set size of a process in MB (Linux /proc). */
export async function rssMb(pid: number | undefined): Promise<number> {
  const { readFileSync } = await import("node:fs");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}
