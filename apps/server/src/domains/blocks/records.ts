/** A block as the API shows it. */
export interface BlockRecord {
  id: string;
  type: "agent" | "conversation";
  target_id: string;
  created_at: string;
}

/** A keyset position for block lists: (created_at, id), descending. */
export interface BlockKey {
  created_at: number;
  id: string;
}
