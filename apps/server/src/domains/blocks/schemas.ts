import { z } from "@hono/zod-openapi";
import { BlockIdSchema, listSchema, TimestampSchema } from "../../platform/schemas.js";

/** Mirrors `openapi/components/schemas/blocks.yaml`; the drift test keeps them equal. */

export const BlockTypeSchema = z.enum(["agent", "conversation"]).openapi("BlockType");

export const BlockSchema = z
  .object({
    id: BlockIdSchema,
    type: BlockTypeSchema,
    target_id: z
      .string()
      .regex(/^(agt|cnv)_[0-9a-hjkmnp-tv-z]{26}$/)
      .min(30)
      .max(30),
    created_at: TimestampSchema,
  })
  .strict()
  .openapi("Block");

export const BlockListSchema = listSchema(BlockSchema, "BlockList");
