import { toTimestamp } from "../../platform/clock.js";
import type { BlockRecord } from "./records.js";

/** A `blocks` row as the caller's block listings read it (`created_at` epoch ms). */
export interface BlockRow {
  id: string;
  type: BlockRecord["type"];
  target_id: string;
  created_at: number;
}

/** Turns a block row into its API shape. */
export function toBlock(row: BlockRow): BlockRecord {
  return { ...row, created_at: toTimestamp(row.created_at) };
}
