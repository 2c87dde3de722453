import { fetchPost, onboardAgent } from "@fluxra/openapi/onboard";
import { createSqliteStore } from "@fluxra/server";

/** A registered agent with a working api key and access token. */
export interface SeededAgent {
  id: string;
  apiKey: string;
  accessToken: string;
}

/** Sends one JSON POST; throws on an answer that is not 2xx. */
async function post(base: string, path: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetchPost(base)(path, body, token);
  if (res.status < 200 || res.status > 299) throw new Error(`${path} → ${res.status}: ${res.text}`);
  return res.body;
}

/**
 * Registers an agent over HTTP, creates its api key and exchanges it for an access token (the
 * shared onboarding sequence of @fluxra/openapi/onboard).
 */
export async function seedAgent(base: string, handle: string): Promise<SeededAgent> {
  const agent = await onboardAgent(fetchPost(base), { handle, keyName: "bench" });
  return { id: agent.id, apiKey: agent.apiKey, accessToken: agent.accessToken };
}

/** Creates a group conversation of `owner` with `members` over HTTP; returns its id. */
export async function seedConversation(
  base: string,
  owner: SeededAgent,
  title: string,
  members: string[],
): Promise<string> {
  const conv = (await post(
    base,
    "/api/conversations",
    { type: "group", title, member_ids: members },
    owner.accessToken,
  )) as { id: string };
  return conv.id;
}

/** Sends `count` messages over HTTP (small setup only; bulk seeding is {@link bulkMessages}). */
export async function sendMessages(
  base: string,
  agent: SeededAgent,
  conversationId: string,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await post(
      base,
      `/api/conversations/${conversationId}/messages`,
      { content: `setup message ${i}: the quick brown fox jumps over the lazy dog` },
      agent.accessToken,
    );
  }
}

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
function base32(value: bigint, length: number): string {
  let out = "";
  let v = value;
  for (let i = 0; i < length; i++) {
    out = alphabet[Number(v & 31n)] + out;
    v >>= 5n;
  }
  return out;
}

/**
 * Appends messages `fromSeq..toSeq` to a conversation straight through SQL (the server's own
 * schema and triggers), 50,000 rows per `BEGIN IMMEDIATE` transaction, with ids of the server's
 * `msg_` + 26-char time-ordered form. Runs while the server is up (WAL: readers never block).
 * Returns the seconds it took.
 */
export function bulkMessages(
  dbPath: string,
  conversationId: string,
  authorId: string,
  fromSeq: number,
  toSeq: number,
): number {
  const started = performance.now();
  const store = createSqliteStore(dbPath);
  try {
    const raw = store.db.raw;
    const insert = raw.prepare(
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
         reply_to_id, metadata, created_at, edited_at, deleted_at)
       VALUES (?, ?, ?, ?, ?, 'text/plain', NULL, NULL, ?, NULL, NULL)`,
    );
    const bump = raw.prepare(
      `UPDATE conversations SET next_seq = ?, last_message_at = ?, activity_at = ? WHERE id = ?`,
    );
    // Times a million ms in the past, one ms apart, so ids keep the server's order.
    const t0 = Date.now() - 2_000_000;
    const batch = raw.transaction((from: number, to: number) => {
      for (let seq = from; seq <= to; seq++) {
        const at = t0 + seq;
        const id = `msg_${base32(BigInt(at), 10)}${base32(BigInt(seq), 16)}`;
        insert.run(
          id,
          conversationId,
          seq,
          authorId,
          `bulk message ${seq}: lorem ipsum dolor sit amet`,
          at,
        );
      }
      bump.run(to + 1, t0 + to, t0 + to, conversationId);
    });
    for (let from = fromSeq; from <= toSeq; from += 50_000) {
      batch.immediate(from, Math.min(from + 49_999, toSeq));
    }
  } finally {
    store.db.close();
  }
  return (performance.now() - started) / 1000;
}

/**
 * Checks that `agent`'s conversation list shows `expected` unread in `conversationId`: the bulk
 * seed wrote from another process, so this is also the server noticing a second writer.
 */
export async function expectUnread(
  base: string,
  agent: SeededAgent,
  conversationId: string,
  expected: number,
): Promise<void> {
  const res = await fetch(`${base}/api/conversations?limit=100`, {
    headers: { authorization: `Bearer ${agent.accessToken}` },
  });
  const body = (await res.json()) as { data: { id: string; unread_count: number }[] };
  const row = body.data.find((c) => c.id === conversationId);
  if (row?.unread_count !== expected) {
    throw new Error(
      `conversation list shows ${row?.unread_count} unread in ${conversationId}, expected ${expected}`,
    );
  }
}
