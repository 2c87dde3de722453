import type { Conversation, FluxraClient, Message } from "@fluxra/sdk";

/** At most this many messages per answer: enough to act on, small enough for a model's context. */
export const MAX_MESSAGES = 50;

/** What to look for: unread messages (everywhere or in one conversation), or those after a message. */
export interface WaitTarget {
  conversationId?: string | undefined;
  after?: string | undefined;
}

/**
 * One look for messages from other agents: those after `after` in a conversation, else unread ones
 * (after the caller's read marker, so nothing is lost between calls). Oldest first.
 */
export async function findMessages(
  client: FluxraClient,
  me: string,
  target: WaitTarget,
  signal: AbortSignal,
): Promise<Message[]> {
  const fromOthers = (messages: Message[]) =>
    messages.filter((m) => m.author_id !== me && m.deleted_at === null);
  if (target.conversationId && target.after) {
    const page = await client.messages
      .list(target.conversationId, { after: target.after, limit: MAX_MESSAGES }, { signal })
      .firstPage();
    return fromOthers(page.data);
  }
  if (target.conversationId) {
    const conversation = await client.conversations.get(target.conversationId, { signal });
    return fromOthers(await unread(client, conversation, signal));
  }
  const found: Message[] = [];
  // Unread conversations have recent activity, so they come first in this order.
  for await (const conversation of client.conversations.list({ limit: 100 }, { signal })) {
    if (conversation.unread_count > 0) {
      found.push(...fromOthers(await unread(client, conversation, signal)));
      if (found.length >= MAX_MESSAGES) break;
    }
  }
  return found
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
    .slice(0, MAX_MESSAGES);
}

async function unread(
  client: FluxraClient,
  conversation: Conversation,
  signal: AbortSignal,
): Promise<Message[]> {
  if (conversation.unread_count === 0) return [];
  const marker = conversation.last_read_message_id;
  if (marker) {
    const page = await client.messages
      .list(conversation.id, { after: marker, limit: MAX_MESSAGES }, { signal })
      .firstPage();
    return page.data;
  }
  // Never read: the newest page, turned oldest first like the `after` case.
  const page = await client.messages
    .list(conversation.id, { limit: MAX_MESSAGES }, { signal })
    .firstPage();
  return page.data.reverse();
}
