import type { ChatStore } from "./store.js";

/**
 * The slices of {@link ChatStore} each backend builds in its own file and spreads into one store,
 * named once so both backends build the same slices.
 */
export type ConversationOps = Pick<
  ChatStore,
  "openDirect" | "createGroup" | "listConversations" | "getConversation" | "updateConversation"
>;

/** Member management of {@link ChatStore}. */
export type MemberOps = Pick<
  ChatStore,
  "listMembers" | "addMember" | "updateMember" | "removeMember" | "leave"
>;

/** Messages and read markers of {@link ChatStore}. */
export type MessageOps = Pick<
  ChatStore,
  | "locateMessage"
  | "sendMessage"
  | "listMessages"
  | "getMessage"
  | "editMessage"
  | "deleteMessage"
  | "markRead"
>;
