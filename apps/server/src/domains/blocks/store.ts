import type { Outcome } from "../../platform/outcome.js";
import type { KeysetPage as Page } from "../../platform/pagination.js";
import type { BlockKey, BlockRecord } from "./records.js";

/** Storage for blocks and their consequences; each method is one write transaction. */
export interface BlocksStore {
  /** Blocks an agent; `created` is false when the block already existed. Unknown agent → not_found. */
  blockAgent(
    caller: string,
    agent: string,
    id: string,
    now: number,
  ): Promise<Outcome<{ block: BlockRecord; created: boolean }>>;
  unblockAgent(caller: string, agent: string): Promise<void>;
  /**
   * Blocks a conversation the caller belongs to (or already blocked). A group is left as part of
   * the same transaction (a sole owner with others remaining → last_owner).
   */
  blockConversation(
    caller: string,
    conversation: string,
    id: string,
    now: number,
  ): Promise<Outcome<{ block: BlockRecord; created: boolean }>>;
  unblockConversation(caller: string, conversation: string): Promise<void>;
  listBlocks(
    caller: string,
    type: "agent" | "conversation" | null,
    after: BlockKey | null,
    limit: number,
  ): Promise<Page<BlockRecord, BlockKey>>;
}
