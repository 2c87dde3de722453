import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import { ApiError } from "./errors.js";

/**
 * The rest of a refused body is never read, so the connection is closed after the 413: a client
 * that reused it would otherwise race the server's drain (and see a reset on its next request).
 */
const tooLarge = () =>
  new ApiError("payload_too_large", "The request body is larger than the limit.", {
    headers: { Connection: "close" },
  });

/**
 * Marks a middleware that reads the body with {@link createBodyReader} (the guards do): a route
 * behind one has its JSON body validated from `c.var.rawBody` (platform/openapi.ts).
 */
export const readsBody = Symbol("reads the request body");

/**
 * Reads the request body once, refusing more than `maxBytes` (413) whether or not it declared a
 * Content-Length: chunked bodies are counted as they stream in, so they cannot slip past.
 * The text is kept in `c.var.rawBody` (for idempotency hashing) and handed to Hono's body cache.
 */
export function readBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const read = createBodyReader(maxBytes);
  return async (c, next) => {
    await read(c);
    await next();
  };
}

/**
 * The work of {@link readBody} as a plain function (for the fused guard, platform/guard.ts):
 * `undefined` when there was nothing to wait for (GET, HEAD, no input), else a promise of the read.
 */
export function createBodyReader(
  maxBytes: number,
): (c: Context<AppEnv>) => Promise<void> | undefined {
  return (c) => {
    // GET and HEAD bodies are never read. Not touching `raw.body` there matters: it makes
    // @hono/node-server build a full Request object, which costs more than the rest of a GET.
    if (c.req.method === "GET" || c.req.method === "HEAD") return undefined;
    const declared = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (declared === "0" && !chunked) return noInput(c);
    if (declared !== undefined && !chunked && Number(declared) > maxBytes) throw tooLarge();
    if (declared !== undefined && !chunked) {
      // The fast lane (platform/fast-lane.ts) runs requests after their poll phase: a small
      // body has usually arrived whole by then and is taken without a promise and its turn.
      const buffered = (c.req as { bufferedText?: () => string | undefined }).bufferedText?.();
      if (buffered !== undefined) return keepText(c, buffered);
    }
    const raw = c.req.raw;
    if (!(declared !== undefined && !chunked) && !raw.body) return noInput(c);
    return readText(c, raw, declared !== undefined && !chunked, maxBytes);
  };
}

/** The end of a read: "no input" for a blank body, else the text kept for validation. */
function keepText(c: Context<AppEnv>, text: string): undefined {
  if (text.trim() === "") return noInput(c);
  c.set("rawBody", text);
  (c.req.bodyCache as unknown as BodyCache).text = Promise.resolve(text);
  return undefined;
}

async function readText(
  c: Context<AppEnv>,
  raw: Request,
  direct: boolean,
  maxBytes: number,
): Promise<void> {
  let text: string;
  try {
    // The length is declared and within the limit, and Node's parser never reads past it:
    // take node-server's direct read, which skips building a web Request and ReadableStream
    // (~14 % of a message send's CPU in the bench profile).
    text = direct
      ? await raw.text()
      : await readCounted(raw.body as ReadableStream<Uint8Array>, maxBytes);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The client went away mid-body or sent broken framing: its fault, not an internal error
    // (it would otherwise be reported as one, and nobody is left to read the answer anyway).
    throw new ApiError("invalid_json", "The request body could not be read.", { cause: err });
  }
  keepText(c, text);
}

/** Reads a body of unknown length, refusing it (413) as soon as it passes `maxBytes`. */
async function readCounted(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = body.getReader();
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
  return new TextDecoder().decode(Buffer.concat(chunks));
}

interface BodyCache {
  text?: Promise<string>;
  arrayBuffer?: Promise<ArrayBuffer>;
}

/**
 * A POST without a body (no Content-Length, `Content-Length: 0`, or only whitespace; with or
 * without a JSON Content-Type) means "no input": the JSON validator reads `{}` and the
 * media-type gate sees zero bytes (RFC 9112 §6.3; spec: bodiless actions accept no body or `{}`).
 */
function noInput(c: Context<AppEnv>): undefined {
  const cache = c.req.bodyCache as unknown as BodyCache;
  cache.text = Promise.resolve("{}");
  cache.arrayBuffer = Promise.resolve(new ArrayBuffer(0));
  return undefined;
}
