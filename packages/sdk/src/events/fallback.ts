import { conversationsResource } from "../resources/conversations.js";
import { messagesResource } from "../resources/messages.js";
import type { Message } from "../resources/types.js";
import { decodeFallback, encodeFallback, type FallbackState } from "./cursor.js";
import type { Delivery, SourceContext } from "./sources.js";
import type { FeedEventOf } from "./types.js";

/** The `message.created` event the feed would have sent for `message`. */
function messageCreated(message: Message): FeedEventOf<"message.created"> {
  return {
    // Stable per message, so a bot that dedupes by event id sees the same id on every poll.
    id: `evt_${message.id.slice(message.id.indexOf("_") + 1)}`,
    type: "message.created",
    created_at: message.created_at,
    conversation_id: message.conversation_id,
    data: message,
  };
}

/**
 * The feed emulated with 0.4.0 endpoints, for servers without `/api/events`: every `intervalMs`
 * it walks `GET /api/conversations` and, for each conversation whose last message changed, reads
 * `GET …/messages?after=<last delivered>`. Only `message.created` events. The cursor carries the
 * last delivered message of every conversation, so a restart resumes without re-yielding.
 */
export async function* fallbackSource(
  ctx: SourceContext & { intervalMs: number; sleep: (ms: number) => Promise<void> },
  from: string | undefined,
): AsyncGenerator<Delivery, void, undefined> {
  const conversations = conversationsResource(ctx.raw);
  const messages = messagesResource(ctx.raw);
  const options = { signal: ctx.signal };
  let state: FallbackState | undefined = from ? decodeFallback(from) : undefined;
  for (;;) {
    if (state) await ctx.sleep(ctx.intervalMs);
    const listed = await conversations.list({ limit: 100 }, options).toArray();
    let since = state?.since ?? null;
    for (const c of listed) {
      if (c.last_message_at && (since === null || c.last_message_at > since)) {
        since = c.last_message_at;
      }
    }
    if (!state) {
      // Start at "now": everything that exists already is the past.
      state = {
        since,
        seen: Object.fromEntries(listed.map((c) => [c.id, c.last_message?.id ?? null])),
      };
      yield { cursor: encodeFallback(state) };
      continue;
    }
    const current: FallbackState = { since: state.since, seen: {} };
    // Conversations that left the listing are dropped; new ones enter once processed below, so
    // a cursor taken mid-walk still treats them as new on resume.
    for (const c of listed) if (c.id in state.seen) current.seen[c.id] = state.seen[c.id] ?? null;
    const fresh: Message[] = [];
    for (const c of listed) {
      const last = c.last_message?.id;
      if (last === undefined || last === state.seen[c.id]) {
        if (c.id in state.seen || last === undefined) current.seen[c.id] = state.seen[c.id] ?? null;
        continue;
      }
      const found = await newMessages(messages, c.id, state, options);
      if (found.length === 0) current.seen[c.id] = last;
      fresh.push(...found);
    }
    // One order across conversations (send time), as the real feed would give.
    fresh.sort((a, b) =>
      a.created_at === b.created_at ? 0 : a.created_at < b.created_at ? -1 : 1,
    );
    for (const message of fresh) {
      current.seen[message.conversation_id] = message.id;
      yield { event: messageCreated(message), cursor: encodeFallback(current) };
    }
    current.since = since;
    state = current;
    yield { cursor: encodeFallback(state) };
  }
}

/** The messages of `conversationId` not delivered yet, oldest first. */
async function newMessages(
  messages: ReturnType<typeof messagesResource>,
  conversationId: string,
  state: FallbackState,
  options: { signal: AbortSignal },
): Promise<Message[]> {
  const after = state.seen[conversationId];
  if (after) return messages.list(conversationId, { after, limit: 100 }, options).toArray();
  const known = conversationId in state.seen;
  const fresh: Message[] = [];
  // Newest first: stop at the first message older than the previous listing (a conversation
  // joined since then shows only what was sent from about then on, like the real feed).
  for await (const message of messages.list(conversationId, { limit: 100 }, options)) {
    if (!known && state.since !== null && message.created_at < state.since) break;
    fresh.push(message);
  }
  return fresh.reverse();
}
