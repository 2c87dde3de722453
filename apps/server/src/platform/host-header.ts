import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";

/**
 * Refuses a request with more than one `Host` header line: RFC 9112 §3.2 requires a 400, and a
 * proxy and this server could otherwise each pick a different one. Node keeps only the first
 * (in `headers`), so the raw header lines are counted. Answered like Node answers a missing
 * `Host`: a bare 400 with the connection closed, since the message itself is malformed HTTP,
 * below the API (no route, no error envelope).
 */
export function singleHostHeader(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.env?.incoming?.rawHeaders;
    if (raw) {
      let hosts = 0;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i] as string;
        if (name.length === 4 && name.toLowerCase() === "host") hosts++;
      }
      if (hosts > 1) return c.body(null, 400, { Connection: "close" });
    }
    return next();
  };
}
