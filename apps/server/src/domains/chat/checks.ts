import { z } from "@hono/zod-openapi";
import { limit, minProperties, type PlainCheck, type SchemaChecks } from "../../platform/checks.js";
import { displayText } from "../../platform/display-text.js";

/** Content limits count Unicode code points (as JSON Schema's maxLength does), not UTF-16 units. */
const codePoints = (s: string) => [...s].length;

/** `application/json` content must parse; checked on the whole body so the path names `content`. */
function jsonContentParses(body: { content?: string; content_type?: string }): boolean {
  if (body.content_type !== "application/json" || body.content === undefined) return true;
  try {
    JSON.parse(body.content);
    return true;
  } catch {
    return false;
  }
}

/** The Chat components' rules the spec states in prose (see platform/checks.ts). */
export const checks = {
  GroupTitle: displayText,
  // zod's `max` counts UTF-16 units; the spec's maxLength counts code points.
  MessageContent: (_schema, keywords) => {
    const max = limit(keywords, "maxLength");
    return z
      .string()
      .min(limit(keywords, "minLength"))
      .refine((s) => codePoints(s) <= max, { message: `Must be at most ${max} characters.` })
      .openapi({ maxLength: max });
  },
  SendMessageRequest: (schema) =>
    (schema as z.ZodType<{ content?: string; content_type?: string }>).refine(jsonContentParses, {
      message: "application/json content must parse as JSON.",
      path: ["content"],
    }),
  UpdateConversationRequest: minProperties("Give at least one field."),
  EditMessageRequest: minProperties("Give content and/or metadata."),
} satisfies SchemaChecks;

/** The plain forms of {@link checks} (see PlainCheck in platform/checks.ts). */
export const plainChecks = {
  // The structure already held it to maxLength UTF-16 units, so to at most as many code points.
  MessageContent: () => true,
  SendMessageRequest: (body) =>
    jsonContentParses(body as { content?: string; content_type?: string }),
} satisfies Partial<Record<keyof typeof checks, PlainCheck>>;
