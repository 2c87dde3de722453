import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import { ApiError } from "./errors.js";

const tooLarge = () =>
  new ApiError("payload_too_large", "The request body is larger than the limit.");

/**
 * Reads the request body once, refusing more than `maxBytes` (413) whether or not it declared a
 * Content-Length: chunked bodies are counted as they stream in, so they cannot slip past.
 * The text is kept in `c.var.rawBody` (for idempotency hashing) and handed to Hono's body cache.
 */
export function readBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // GET and HEAD bodies are never read. Not touching `raw.body` there matters: it makes
    // @hono/node-server build a full Request object, which costs more than the rest of a GET.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const declared = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (declared === "0" && !chunked) return next();
    if (declared !== undefined && !chunked && Number(declared) > maxBytes) throw tooLarge();
    const raw = c.req.raw;
    if (!raw.body) return next();
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    c.set("rawBody", text);
    // An empty body with a JSON content type means "no input", not broken JSON: read it as {}.
    const parsed = text.trim() === "" ? "{}" : text;
    (c.req.bodyCache as unknown as { text?: Promise<string> }).text = Promise.resolve(parsed);
    await next();
  };
}
