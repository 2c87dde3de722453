/**
 * Walks over client JSON that never recurse: an attacker controls the nesting, and a recursive
 * walk over 10,000 levels overflows the stack (it was a 500 with a stack trace per request).
 */

/** The deepest a request body may nest (each object or array is one level; the body is level 1). */
export const maxBodyDepth = 64;

/**
 * How deep `text` (JSON) nests, counted on the raw text without parsing: brackets inside strings
 * are skipped. Stops counting once `stopAbove` is passed. Linear, no allocation.
 */
export function jsonTextDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      i = closingQuote(text, i);
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/**
 * The index of the quote that ends the string opened at `open` (or the end of the text). Found
 * with the native `indexOf`, so long string contents (most of a message body) cost little.
 */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length;
}

/**
 * How deep a parsed JSON value nests (a scalar is 0, `{}` and `[]` are 1), iteratively. Stops
 * once `stopAbove` is passed.
 */
export function jsonValueDepth(value: unknown, stopAbove = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [item, depth] = top;
    if (item === null || typeof item !== "object") continue;
    if (depth > max) {
      max = depth;
      if (max > stopAbove) return max;
    }
    for (const child of Object.values(item)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** One problem the walk found: the dotted path and what is wrong there. */
export interface JsonProblem {
  path: string;
  message: string;
}

/**
 * Visits every key and string of a parsed JSON value, depth-first and iteratively, and returns
 * the first problem `check` reports (`check` gets the dotted path, e.g. `body.metadata.a`, and
 * whether it looks at a key or a string value).
 */
export function findInJson(
  value: unknown,
  root: string,
  check: (text: string, isKey: boolean) => string | undefined,
): JsonProblem | undefined {
  const stack: [unknown, string][] = [[value, root]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [item, path] = top;
    if (typeof item === "string") {
      const message = check(item, false);
      if (message) return { path, message };
      continue;
    }
    if (item === null || typeof item !== "object") continue;
    const entries = Object.entries(item);
    if (!Array.isArray(item)) {
      for (const [key] of entries) {
        const message = check(key, true);
        if (message) return { path: `${path}.${key}`, message };
      }
    }
    // Pushed in reverse so that problems are found in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      stack.push([child, `${path}.${key}`]);
    }
  }
  return undefined;
}
