import type { RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../../generated/operations.js";
import {
  addMemberRoute,
  createConversationRoute,
  getConversationRoute,
  leaveConversationRoute,
  listConversationsRoute,
  listMembersRoute,
  removeMemberRoute,
  updateConversationRoute,
  updateMemberRoute,
} from "./routes-conversations.js";
import {
  deleteMessageRoute,
  editMessageRoute,
  getMessageRoute,
  listMessagesRoute,
  markReadRoute,
  sendMessageRoute,
} from "./routes-messages.js";

/** Every operation of the Chat tag and its route: a missing one does not compile. */
export const chatRoutes = {
  createConversation: createConversationRoute,
  listConversations: listConversationsRoute,
  getConversation: getConversationRoute,
  updateConversation: updateConversationRoute,
  listMembers: listMembersRoute,
  addMember: addMemberRoute,
  updateMember: updateMemberRoute,
  removeMember: removeMemberRoute,
  leaveConversation: leaveConversationRoute,
  sendMessage: sendMessageRoute,
  listMessages: listMessagesRoute,
  getMessage: getMessageRoute,
  editMessage: editMessageRoute,
  deleteMessage: deleteMessageRoute,
  markRead: markReadRoute,
} satisfies DomainTable<"chat", RouteConfig>;
