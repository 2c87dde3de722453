import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import { validationError } from "./errors.js";
import { findInJson, jsonTextDepth, jsonValueDepth, maxBodyDepth } from "./json-walk.js";

const message = "Text must not contain U+0000 or unpaired UTF-16 surrogates.";
const protoMessage =
  "`__proto__` is not allowed as a key: it cannot be stored faithfully (JavaScript drops it).";
const depthMessage = `Nested too deeply: a request body may nest at most ${maxBodyDepth} levels.`;
/** Cheap pre-check on the raw JSON text: only then is the body parsed and walked. */
const suspectEscape = /\\u(0000|d[89a-f][0-9a-f]{2})/i;
/** `__proto__` spelled out, or any of its characters written as a `\u` escape. */
const suspectProto = /__proto__|\\u00(5f|70|72|6f|74)/i;
/** A NUL, or a surrogate not part of a pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const checkText = (text: string, isKey: boolean) => {
  if (isKey && text === "__proto__") return protoMessage;
  return unstorable.test(text) ? message : undefined;
};

/** Detail paths are at most 512 characters (spec `ErrorDetail`); deep paths keep their start. */
const clip = (path: string) => (path.length <= 512 ? path : `${path.slice(0, 509)}...`);

/** The field under the body that nests too deeply (`body.metadata`), or `body` itself. */
function tooDeepAt(parsed: unknown): string {
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(parsed)) {
      if (jsonValueDepth(value, maxBodyDepth - 1) > maxBodyDepth - 1) return `body.${key}`;
    }
  }
  return "body";
}

/**
 * Refuses (422) client JSON that the server cannot handle faithfully, before any validator or
 * handler walks it:
 * - nesting deeper than {@link maxBodyDepth} levels (every later walk is then bounded);
 * - text a database cannot store: PostgreSQL rejects U+0000 in `text` (it was a 500 there) and
 *   SQLite silently turns unpaired surrogates into U+FFFD, so both backends now answer alike;
 * - a `__proto__` key, which JavaScript objects silently drop (and could be used to reach the
 *   prototype), so a stored object would differ from what the caller sent.
 * Checks the JSON body of POST/PATCH (read by `readBody` before this runs) and the query string.
 */
export function rejectUnstorableText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    checkStorableText(c);
    await next();
  };
}

/**
 * The check of {@link rejectUnstorableText} as a plain synchronous function (for the fused
 * guard, platform/guard.ts): throws 422 `validation_failed`, or returns.
 */
export function checkStorableText(c: Context<AppEnv>): void {
  const url = c.req.url;
  const queryStart = url.indexOf("?");
  if (queryStart !== -1 && /%00/.test(url.slice(queryStart))) {
    for (const [name, values] of Object.entries(c.req.queries())) {
      if (values.some((v) => v.includes("\u0000"))) throw validationError(`query.${name}`, message);
    }
  }
  const text = c.get("rawBody");
  if (!text) return;
  const tooDeep = jsonTextDepth(text, maxBodyDepth) > maxBodyDepth;
  if (tooDeep || suspectEscape.test(text) || suspectProto.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return; // not JSON: the validator answers 400
    }
    if (tooDeep) throw validationError(tooDeepAt(parsed), depthMessage);
    const found = findInJson(parsed, "body", checkText);
    if (found) throw validationError(clip(found.path), found.message);
  }
}
