import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import { validationError } from "./errors.js";

const message = "Text must not contain U+0000 or unpaired UTF-16 surrogates.";
/** Cheap pre-check on the raw JSON text: only then is the body parsed and walked. */
const suspectEscape = /\\u(0000|d[89a-f][0-9a-f]{2})/i;
/** A NUL, or a surrogate not part of a pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The dotted path of the first string or key in `value` that cannot be stored, if any. */
function findUnstorable(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return unstorable.test(value) ? path : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (unstorable.test(key)) return at;
    const found = findUnstorable(item, at);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses (422) text that a database cannot store faithfully: PostgreSQL rejects U+0000 in
 * `text` (it was a 500 there) and SQLite silently turns unpaired surrogates into U+FFFD. The
 * same request now gets the same answer on both backends. Checks the JSON body of POST/PATCH
 * (read by `readBody` before this runs) and the query string.
 */
export function rejectUnstorableText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url;
    const queryStart = url.indexOf("?");
    if (queryStart !== -1 && /%00/.test(url.slice(queryStart))) {
      for (const [name, values] of Object.entries(c.req.queries())) {
        if (values.some((v) => v.includes("\u0000")))
          throw validationError(`query.${name}`, message);
      }
    }
    const text = c.get("rawBody");
    if (text && suspectEscape.test(text)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return next(); // not JSON: the validator answers 400
      }
      const at = findUnstorable(parsed, "body");
      if (at) throw validationError(at, message);
    }
    await next();
  };
}
