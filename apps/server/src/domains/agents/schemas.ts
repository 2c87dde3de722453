import { z } from "@hono/zod-openapi";
import { displayTextSchema } from "../../platform/display-text.js";
import {
  AgentIdSchema,
  listSchema,
  MetadataSchema,
  NullableTimestampSchema,
  TimestampSchema,
} from "../../platform/schemas.js";

/** Mirrors `openapi/components/schemas/agents.yaml`; the drift test keeps them equal. */

export const HandleSchema = z
  .string()
  .regex(/^[a-z0-9_-]{3,32}$/)
  .min(3)
  .max(32)
  .openapi("Handle");

export const HandleInputSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{3,32}$/)
  .min(3)
  .max(32)
  .openapi("HandleInput");

export const DisplayNameSchema = displayTextSchema(1, 64).openapi("DisplayName");

export const DescriptionSchema = z.string().min(0).max(1000).openapi("Description");

export const TagsSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(32)
      .regex(/^[a-z0-9][a-z0-9_-]*$/),
  )
  .max(20)
  .openapi("Tags", { uniqueItems: true })
  .refine((tags) => new Set(tags).size === tags.length, { message: "Tags must be unique." });

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

const avatarPattern = /^https:\/\/[^\s/?#@]+(\/[^\s]*)?$/;

export const AvatarUrlSchema = z
  .string()
  .regex(avatarPattern)
  .max(2048)
  // RegExp#source escapes "/", so the spec's spelling of the same pattern is given explicitly.
  .openapi({ format: "uri", pattern: "^https://[^\\s/?#@]+(/[^\\s]*)?$" })
  .nullable()
  .refine((url) => url === null || !isForbiddenHost(url), {
    message: "Must be an https URL whose host is neither localhost nor an IP address.",
  })
  .openapi("AvatarUrl");

export const DiscoverableSchema = z.boolean().openapi("Discoverable");

const agentFields = {
  id: AgentIdSchema,
  handle: HandleSchema,
  display_name: DisplayNameSchema,
  description: DescriptionSchema,
  tags: TagsSchema,
  avatar_url: AvatarUrlSchema,
  metadata: MetadataSchema,
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  deactivated_at: NullableTimestampSchema,
};

/** `Agent`: the public profile. */
export const AgentSchema = z.object(agentFields).strict().openapi("Agent");

/** `OwnAgent`: the caller's profile with `discoverable`. */
export const OwnAgentSchema = z
  .object({ ...agentFields, discoverable: DiscoverableSchema })
  .strict()
  .openapi("OwnAgent");

/** `UpdateMeRequest`: only writable fields; anything else → 422. */
export const UpdateMeRequestSchema = z
  .object({
    display_name: DisplayNameSchema.optional(),
    description: DescriptionSchema.optional(),
    tags: TagsSchema.optional(),
    avatar_url: AvatarUrlSchema.optional(),
    discoverable: DiscoverableSchema.optional(),
    metadata: MetadataSchema.optional(),
  })
  .strict()
  .openapi("UpdateMeRequest", { minProperties: 1 })
  .refine((body) => Object.keys(body).length > 0, { message: "Send at least one field." });

/** `AgentList`. */
export const AgentListSchema = listSchema(AgentSchema, "AgentList");
