import type { z } from "@hono/zod-openapi";
import { minProperties, type SchemaChecks } from "../../platform/checks.js";
import { displayText } from "../../platform/display-text.js";

/** True for hosts a profile URL must not name: localhost and IP literals (SSRF bait). */
function isForbiddenHost(url: string): boolean {
  let host: string;
  try {
    // A trailing dot names the same host ("localhost." is localhost), so it is dropped first.
    host = new URL(url).hostname.toLowerCase().replace(/\.+$/, "");
  } catch {
    return true;
  }
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.startsWith("[") ||
    /^\d+(\.\d+){0,3}$/.test(host) ||
    /^0x[0-9a-f]+$/.test(host)
  );
}

/** The Agents components' rules the spec states in prose (see platform/checks.ts). */
export const checks = {
  DisplayName: displayText,
  Tags: (schema) =>
    (schema as z.ZodType<string[]>).refine((tags) => new Set(tags).size === tags.length, {
      message: "Tags must be unique.",
    }),
  AvatarUrl: (schema) =>
    (schema as z.ZodType<string | null>).refine((url) => url === null || !isForbiddenHost(url), {
      message: "Must be an https URL whose host is neither localhost nor an IP address.",
    }),
  UpdateMeRequest: minProperties("Send at least one field."),
} satisfies SchemaChecks;
