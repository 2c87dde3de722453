import { z } from "@hono/zod-openapi";
import { displayTextSchema } from "../../platform/display-text.js";
import {
  AgentIdSchema,
  ConversationIdSchema,
  listSchema,
  MessageIdSchema,
  NullableMetadataSchema,
  NullableTimestampSchema,
  TimestampSchema,
} from "../../platform/schemas.js";

/** Mirrors `openapi/components/schemas/chat.yaml`; the drift test keeps them equal. */

/** A message id that may be null (the spec spells these inline, not as `MessageId`). */
const nullableMessageId = z
  .string()
  .regex(/^msg_[0-9a-hjkmnp-tv-z]{26}$/)
  .min(30)
  .max(30)
  .nullable();

export const ConversationTypeSchema = z.enum(["direct", "group"]).openapi("ConversationType");

export const MemberRoleSchema = z.enum(["owner", "admin", "member"]).openapi("MemberRole");

export const GroupTitleSchema = displayTextSchema(1, 100).openapi("GroupTitle");

export const GroupDescriptionSchema = z.string().max(1000).nullable().openapi("GroupDescription");

/** The default (`text/plain`) is applied by the handler, so responses keep the field required. */
export const ContentTypeSchema = z
  .enum(["text/plain", "text/markdown", "application/json"])
  .openapi("ContentType", { default: "text/plain" });

/** Content limits count Unicode code points (as JSON Schema's maxLength does), not UTF-16 units. */
const codePoints = (s: string) => [...s].length;

export const MessageContentSchema = z
  .string()
  .min(1)
  .refine((s) => codePoints(s) <= 8000, { message: "Must be at most 8000 characters." })
  .openapi("MessageContent", { maxLength: 8000 });

export const MessageSchema = z
  .object({
    id: MessageIdSchema,
    conversation_id: ConversationIdSchema,
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ format: "int64" }),
    author_id: AgentIdSchema,
    content: z.string().min(1).max(8000).nullable(),
    content_type: ContentTypeSchema,
    reply_to_id: nullableMessageId,
    metadata: NullableMetadataSchema,
    created_at: TimestampSchema,
    edited_at: NullableTimestampSchema,
    deleted_at: NullableTimestampSchema,
  })
  .strict()
  .openapi("Message");

const conversationFields = {
  id: ConversationIdSchema,
  type: ConversationTypeSchema,
  title: z.string().min(1).max(100).nullable(),
  description: GroupDescriptionSchema,
  created_by: AgentIdSchema,
  member_count: z.number().int().min(0).max(1_000_000).openapi({ format: "int32" }),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  last_message_at: NullableTimestampSchema,
  // A union, not `.nullable()`: the latter would mark the shared Message component nullable.
  last_message: z.union([MessageSchema, z.null()]),
  unread_count: z.number().int().min(0).max(2_147_483_647).openapi({ format: "int32" }),
  last_read_message_id: nullableMessageId,
  role: MemberRoleSchema,
};

export const ConversationSchema = z.object(conversationFields).strict().openapi("Conversation");

export const ConversationCreatedSchema = z
  .object({ ...conversationFields, skipped: z.array(AgentIdSchema).max(99) })
  .strict()
  .openapi("ConversationCreated");

export const CreateDirectConversationRequestSchema = z
  .object({ type: z.enum(["direct"]), agent_id: AgentIdSchema })
  .strict()
  .openapi("CreateDirectConversationRequest");

export const CreateGroupConversationRequestSchema = z
  .object({
    type: z.enum(["group"]),
    title: GroupTitleSchema,
    description: GroupDescriptionSchema.optional(),
    member_ids: z.array(AgentIdSchema).max(99).optional(),
  })
  .strict()
  .openapi("CreateGroupConversationRequest");

export const CreateConversationRequestSchema = z
  .discriminatedUnion("type", [
    CreateDirectConversationRequestSchema,
    CreateGroupConversationRequestSchema,
  ])
  .openapi("CreateConversationRequest");

export const UpdateConversationRequestSchema = z
  .object({ title: GroupTitleSchema.optional(), description: GroupDescriptionSchema.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "Give at least one field." })
  .openapi("UpdateConversationRequest", { minProperties: 1 });

export const ConversationListSchema = listSchema(ConversationSchema, "ConversationList");

export const MemberSchema = z
  .object({ agent_id: AgentIdSchema, role: MemberRoleSchema, joined_at: TimestampSchema })
  .strict()
  .openapi("Member");

export const AddMemberRequestSchema = z
  .object({ agent_id: AgentIdSchema, role: MemberRoleSchema.default("member") })
  .strict()
  .openapi("AddMemberRequest");

export const UpdateMemberRequestSchema = z
  .object({ role: MemberRoleSchema })
  .strict()
  .openapi("UpdateMemberRequest");

export const MemberListSchema = listSchema(MemberSchema, "MemberList");

/** `application/json` content must parse; checked on the whole body so the path names `content`. */
function jsonContentParses(content: string | undefined, type: string | undefined): boolean {
  if (type !== "application/json" || content === undefined) return true;
  try {
    JSON.parse(content);
    return true;
  } catch {
    return false;
  }
}

const notJson = { message: "application/json content must parse as JSON.", path: ["content"] };

export const SendMessageRequestSchema = z
  .object({
    content: MessageContentSchema,
    content_type: ContentTypeSchema.optional(),
    reply_to_id: nullableMessageId.optional(),
    metadata: NullableMetadataSchema.optional(),
  })
  .strict()
  .refine((b) => jsonContentParses(b.content, b.content_type), notJson)
  .openapi("SendMessageRequest");

export const EditMessageRequestSchema = z
  .object({ content: MessageContentSchema.optional(), metadata: NullableMetadataSchema.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "Give content and/or metadata." })
  .openapi("EditMessageRequest", { minProperties: 1 });

export const MessageListSchema = listSchema(MessageSchema, "MessageList");

export const MarkReadRequestSchema = z
  .object({ message_id: MessageIdSchema })
  .strict()
  .openapi("MarkReadRequest");

export const ReadMarkerSchema = z
  .object({
    last_read_message_id: MessageIdSchema,
    unread_count: z.number().int().min(0).max(2_147_483_647).openapi({ format: "int32" }),
  })
  .strict()
  .openapi("ReadMarker");
