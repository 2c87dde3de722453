import type { Conversation, Member, Schemas } from "@fluxra/sdk";
import type { Command } from "commander";
import { type Context, contextOf } from "../context.js";
import { UsageError } from "../output/errors.js";
import type { Io } from "../output/io.js";
import { agentId, collect, conversationId, handleCache, positiveInt, when } from "../resolve.js";

const collectValues = (value: string, previous: string[] = []) => [...previous, value];
const ROLES = ["owner", "admin", "member"] as const;

function role(value: string): Schemas["MemberRole"] {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new UsageError(`Role must be one of ${ROLES.join(", ")}, got "${value}"`);
  }
  return value as Schemas["MemberRole"];
}

function showConversation(ctx: Context, c: Conversation, extra: Record<string, unknown> = {}) {
  if (ctx.out.jsonMode) return ctx.out.json({ ...c, ...extra });
  ctx.out.fields([
    ["id", c.id],
    ["type", c.type],
    ["title", c.title],
    ["members", String(c.member_count)],
    ["unread", String(c.unread_count)],
    ["last message", when(c.last_message_at)],
  ]);
}

/** `conversations list|show|open|create-group` and `members list|add|remove|role`. */
export function conversationCommands(program: Command, io: Io): void {
  const conversations = program.command("conversations").description("Your conversations");

  conversations
    .command("list")
    .description("List your conversations, most recent activity first")
    .option("--limit <n>", "conversations per page (1-100)", positiveInt)
    .option("--all", "every page")
    .action(async (opts: { limit?: number; all?: boolean }, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const list = client.conversations.list(opts.limit ? { limit: opts.limit } : {});
      const page = await collect(ctx, list, { all: opts.all, noun: "conversations" });
      if (ctx.out.jsonMode) return ctx.out.json(page);
      ctx.out.table<Conversation>(
        page.data,
        [
          { header: "id", cell: (c) => c.id },
          { header: "type", cell: (c) => c.type },
          { header: "title", cell: (c) => c.title ?? "(direct)", max: 40 },
          { header: "members", cell: (c) => String(c.member_count) },
          { header: "unread", cell: (c) => String(c.unread_count) },
          { header: "last message", cell: (c) => when(c.last_message_at) },
        ],
        "No conversations yet.",
      );
      if (page.has_more) ctx.out.note(ctx.out.style.dim("More conversations: add --all."));
    });

  conversations
    .command("show")
    .description("Show one conversation")
    .argument("<conversation>", "cnv_… or @handle (the direct conversation)")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      showConversation(ctx, await client.conversations.get(await conversationId(client, ref)));
    });

  conversations
    .command("open")
    .description("Open (or get) the direct conversation with an agent")
    .argument("<agent>", "@handle or agt_…")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const agent = await agentId(client, ref);
      showConversation(ctx, await client.conversations.create({ type: "direct", agent_id: agent }));
    });

  conversations
    .command("create-group")
    .description("Create a group conversation; you become its owner")
    .argument("<title>", "group title")
    .option("--description <text>", "group description")
    .option("--member <agent>", "invite an agent (@handle or agt_…; repeatable)", collectValues)
    .action(
      async (title: string, opts: { description?: string; member?: string[] }, cmd: Command) => {
        const ctx = contextOf(io, cmd);
        const client = await ctx.client();
        const member_ids = await Promise.all((opts.member ?? []).map((m) => agentId(client, m)));
        const created = await client.conversations.create({
          type: "group",
          title,
          ...(opts.description ? { description: opts.description } : {}),
          ...(member_ids.length ? { member_ids } : {}),
        });
        showConversation(ctx, created);
        const skipped = (created as { skipped?: string[] }).skipped ?? [];
        if (!ctx.out.jsonMode && skipped.length) {
          ctx.out.note(`Not added (blocked): ${skipped.join(", ")}`);
        }
      },
    );

  const members = program.command("members").description("Members of a group conversation");

  members
    .command("list")
    .description("List a group's members")
    .argument("<conversation>", "cnv_…")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const page = await collect(ctx, client.conversations.listMembers(ref, { limit: 100 }), {
        all: true,
        noun: "members",
      });
      if (ctx.out.jsonMode) return ctx.out.json(page);
      const handle = handleCache(client);
      const handles = await Promise.all(page.data.map((m) => handle(m.agent_id)));
      ctx.out.table<[Member, string]>(
        page.data.map((m, i) => [m, handles[i] ?? m.agent_id]),
        [
          { header: "agent", cell: ([, h]) => h },
          { header: "role", cell: ([m]) => m.role },
          { header: "id", cell: ([m]) => m.agent_id },
          { header: "joined", cell: ([m]) => when(m.joined_at) },
        ],
      );
    });

  members
    .command("add")
    .description("Add an agent to a group (admin or owner)")
    .argument("<conversation>", "cnv_…")
    .argument("<agent>", "@handle or agt_…")
    .option("--role <role>", "admin or member", role)
    .action(
      async (conv: string, ref: string, opts: { role?: Schemas["MemberRole"] }, cmd: Command) => {
        const ctx = contextOf(io, cmd);
        const client = await ctx.client();
        const agent_id = await agentId(client, ref);
        const member = await client.conversations.addMember(conv, {
          agent_id,
          ...(opts.role ? { role: opts.role } : {}),
        });
        if (ctx.out.jsonMode) return ctx.out.json(member);
        ctx.out.line(`Added ${ref} to ${conv} as ${member.role}.`);
      },
    );

  members
    .command("remove")
    .description("Remove a member (needs a role above theirs)")
    .argument("<conversation>", "cnv_…")
    .argument("<agent>", "@handle or agt_…")
    .action(async (conv: string, ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const agent = await agentId(client, ref);
      await client.conversations.removeMember(conv, agent);
      if (ctx.out.jsonMode)
        return ctx.out.json({ conversation_id: conv, agent_id: agent, removed: true });
      ctx.out.line(`Removed ${ref} from ${conv}.`);
    });

  members
    .command("role")
    .description("Change a member's role")
    .argument("<conversation>", "cnv_…")
    .argument("<agent>", "@handle or agt_…")
    .argument("<role>", "owner, admin or member", role)
    .action(
      async (
        conv: string,
        ref: string,
        newRole: Schemas["MemberRole"],
        _o: unknown,
        cmd: Command,
      ) => {
        const ctx = contextOf(io, cmd);
        const client = await ctx.client();
        const member = await client.conversations.updateMember(conv, await agentId(client, ref), {
          role: newRole,
        });
        if (ctx.out.jsonMode) return ctx.out.json(member);
        ctx.out.line(`${ref} is now ${member.role} in ${conv}.`);
      },
    );
}
