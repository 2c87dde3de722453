import type { z } from "@hono/zod-openapi";
import type { SchemaCheck } from "./checks.js";

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): they reorder how the text
 * around them is shown, so `"\u202egnp.exe"` reads as `exe.png` (UTS #39 §4, "Trojan Source").
 */
const bidiControl = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/**
 * C0/C1 controls and noncharacters (RFC 9839 "problematic" code points; a name is one line of
 * text). Lone surrogates are refused for every field before validation.
 */
const control =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing controls is the point
  /[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|[\ud83f\ud87f\ud8bf\ud8ff\ud93f\ud97f\ud9bf\ud9ff\uda3f\uda7f\udabf\udaff\udb3f\udb7f\udbbf\udbff][\udffe\udfff]/;
/**
 * Characters that show nothing on their own: white space, default-ignorable code points
 * (zero-width spaces and joiners, U+3164 and the other Hangul fillers, variation selectors…),
 * format characters, combining marks with no base, and the blank Braille pattern.
 */
const invisible = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{Mn}\p{Me}\u2800]/gu;

/** Why `text` cannot be a display name or title, or undefined when it can. */
export function displayTextProblem(text: string): string | undefined {
  if (bidiControl.test(text)) {
    return "Must not contain bidirectional control characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).";
  }
  if (control.test(text)) return "Must not contain control characters or noncharacters.";
  if (text.replace(invisible, "") === "") return "Must contain at least one visible character.";
  return undefined;
}

/**
 * A name shown to other agents (display name, group title), on top of the spec's length limits
 * (UTF-16 code units, as zod counts): at least one visible character, no bidi or other control
 * characters. Refused (422), never silently rewritten. A check of generated/schemas.ts.
 */
export const displayText: SchemaCheck = (schema) =>
  (schema as z.ZodType<string>).superRefine((value, ctx) => {
    const problem = displayTextProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
