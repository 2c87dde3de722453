import { z } from "@hono/zod-openapi";
import type { IdPrefix } from "./ids.js";
import { jsonValueDepth } from "./json-walk.js";

/**
 * Shared field schemas, mirroring `openapi/components/schemas/common.yaml`. The drift test
 * compares what these generate with the spec, so a change here must match a change there.
 */

const crockford = "[0-9a-hjkmnp-tv-z]{26}";

/** An id with the given prefix: `<prefix>_` + 26 lowercase Crockford base32 characters. */
export function idSchema(prefix: IdPrefix) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_${crockford}$`))
    .min(30)
    .max(30);
}

export const AgentIdSchema = idSchema("agt").openapi("AgentId");
export const ApiKeyIdSchema = idSchema("key").openapi("ApiKeyId");
export const SessionIdSchema = idSchema("ses").openapi("SessionId");
export const ConversationIdSchema = idSchema("cnv").openapi("ConversationId");
export const MessageIdSchema = idSchema("msg").openapi("MessageId");
export const BlockIdSchema = idSchema("blk").openapi("BlockId");

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** RFC 3339 UTC with milliseconds and `Z` (always 24 characters). */
export const TimestampSchema = z
  .string()
  .regex(timestampPattern)
  .min(24)
  .max(24)
  .openapi({ format: "date-time" });

/** A timestamp or `null` (never absent). */
export const NullableTimestampSchema = TimestampSchema.nullable();

/** Serialized size limit of `metadata` objects (UTF-8 bytes of compact JSON). */
export const metadataMaxBytes = 4096;

/** How deep `metadata` may nest: the object itself is level 1, each object or array inside one more. */
export const metadataMaxDepth = 32;

// Depth first: it is measured without recursion, and bounds the recursive JSON.stringify after it.
const metadataShallow = (value: Record<string, unknown>) =>
  jsonValueDepth(value, metadataMaxDepth) <= metadataMaxDepth;
const metadataFits = (value: Record<string, unknown>) =>
  Buffer.byteLength(JSON.stringify(value), "utf8") <= metadataMaxBytes;
const depthMessage = { message: `Must nest at most ${metadataMaxDepth} levels deep.` };
const metadataMessage = { message: `Must be at most ${metadataMaxBytes} bytes serialized.` };

/** Free-form client object, ≤ 4 KiB serialized, nested ≤ 32 levels. */
export const MetadataSchema = z
  .record(z.string(), z.unknown())
  .openapi({ maxProperties: 819 })
  .refine(metadataShallow, { ...depthMessage, abort: true })
  .refine(metadataFits, metadataMessage);

/** Like {@link MetadataSchema}, or `null`. */
export const NullableMetadataSchema = z
  .record(z.string(), z.unknown())
  .nullable()
  .openapi({ maxProperties: 819 })
  .refine((v) => v === null || metadataShallow(v), { ...depthMessage, abort: true })
  .refine((v) => v === null || metadataFits(v), metadataMessage);

/** `has_more` of a list. */
export const HasMoreSchema = z.boolean();

/** `next_cursor` of a list: null exactly when `has_more` is false. */
export const NextCursorSchema = z.string().min(1).max(512).nullable();

/**
 * The list envelope `{ data, has_more, next_cursor }` registered as component `name`.
 *
 * @example
 * export const AgentListSchema = listSchema(AgentSchema, "AgentList");
 */
export function listSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item).max(100),
      has_more: HasMoreSchema,
      next_cursor: NextCursorSchema,
    })
    .strict()
    .openapi(name);
}

/** A body that must be absent or `{}` (actions with no input). */
export const EmptyRequestSchema = z
  .object({})
  .strict()
  .openapi("EmptyRequest", { maxProperties: 0 });

/** Optional `X-Request-Id` request header (declared on every operation; never rejected). */
export const requestIdHeader = { "X-Request-Id": z.string().optional() };

/** Optional `Idempotency-Key` request header (declared on every POST; checked by the middleware). */
export const idempotencyKeyHeader = { "Idempotency-Key": z.string().optional() };

/** The request headers of a POST operation. */
export const postHeaders = z.object({ ...idempotencyKeyHeader, ...requestIdHeader });

/** The request headers of any other operation. */
export const plainHeaders = z.object(requestIdHeader);

/** Query `limit`: 1–100, default 50; outside that range → 422 (never clamped). */
export const LimitQuerySchema = z
  .preprocess(
    // Decimal digits only: coercing with Number() would also take `0x10`, `1e1`, ` 5`, "" (→ 0).
    (value) => (typeof value === "string" && /^[0-9]{1,6}$/.test(value) ? Number(value) : value),
    z.number().int().min(1).max(100),
  )
  .default(50)
  .openapi({ type: "integer", format: "int32", minimum: 1, maximum: 100 });

/** Query `cursor`: opaque, checked by the cursor codec. */
export const CursorQuerySchema = z.string().min(1).max(512).optional();

/**
 * The query of an operation that takes no query parameters: any parameter → 422, like unknown
 * body fields (the spec's choice where api.md §1 only names body fields). Generates no parameters in the document.
 */
export const NoQuerySchema = z.object({}).strict();
