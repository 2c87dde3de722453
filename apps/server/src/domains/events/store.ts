/** The event types of the feed (`Event.type` in the spec). */
export type EventType =
  | "message.created"
  | "message.updated"
  | "message.deleted"
  | "conversation.created"
  | "conversation.updated"
  | "member.added"
  | "member.removed"
  | "member.updated"
  | "read.updated";

/** An event about to be written, inside the transaction of the change it describes. */
export interface EventDraft {
  type: EventType;
  conversationId: string;
  /** The resource (`Message`, `Conversation`, `Member`, `ReadMarker`) as the recipients see it. */
  data: unknown;
  /** Epoch ms of the change. */
  now: number;
  /** For message events: the author; members who blocked it do not receive the event. */
  authorId?: string;
  /** Agents that receive it although they are no longer members (the one who left or was removed). */
  also?: string;
}

/** One page of an agent's feed, already serialized. */
export interface EventFeedPage {
  /** JSON of each `Event`, oldest first. */
  events: { pos: number; json: string }[];
  /** The position to continue from: the last event's, or the feed's end when the page is not full. */
  next: number;
}

/** Who may have new events: agent ids, or `"all"` when the notice was too large to name them. */
export type Wake = string[] | "all";

/**
 * Storage of the per-agent event feed. Positions are integers, increasing in commit order on
 * every backend, so a position read once is a cursor that never skips an event committed later.
 */
export interface EventsStore {
  /** The position "now": every event at or before it is committed and final. */
  head(): Promise<number>;
  /** Positions at or below this were swept (retention): older cursors are expired. */
  horizon(): Promise<number>;
  /** Up to `limit` events of `agent` after `after`, and the position to continue from. */
  page(agent: string, after: number, limit: number): Promise<EventFeedPage>;
  /** Deletes events created before `before` (epoch ms); returns how many were deleted. */
  sweep(before: number): Promise<number>;
  /**
   * Calls `listener` after events commit (in this process or, on PostgreSQL, any instance) with
   * their recipients. Returns the unsubscribe function.
   */
  subscribe(listener: (wake: Wake) => void): () => void;
  /**
   * Optional: the hub reports when it starts (`true`) and stops (`false`) holding requests.
   * SQLite uses it to notice other processes' commits on the same file only while someone waits
   * (PostgreSQL needs nothing: LISTEN/NOTIFY reaches every instance).
   */
  watch?(active: boolean): void;
  /** Stops listening for other instances' events (idempotent). */
  close(): Promise<void>;
}
