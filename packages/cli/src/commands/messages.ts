import type { Message, Schemas } from "@fluxra/sdk";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import { UsageError } from "../output/errors.js";
import { type Io, readAll } from "../output/io.js";
import { collect, conversationId, handleCache, positiveInt, when } from "../resolve.js";

const CONTENT_TYPES = ["text/plain", "text/markdown", "application/json"] as const;

function contentType(value: string): Schemas["ContentType"] {
  if (!(CONTENT_TYPES as readonly string[]).includes(value)) {
    throw new UsageError(`Content type must be one of ${CONTENT_TYPES.join(", ")}`);
  }
  return value as Schemas["ContentType"];
}

interface SendOptions {
  contentType?: Schemas["ContentType"];
  replyTo?: string;
  eachLine?: boolean;
}

/** `send`, `messages` and `read`. */
export function messageCommands(program: Command, io: Io): void {
  program
    .command("send")
    .description("Send a message (`-` reads it from stdin)")
    .argument("<conversation>", "cnv_…, or @handle for the direct conversation")
    .argument("<text>", "the message, or - for stdin")
    .option("--content-type <type>", CONTENT_TYPES.join(", "), contentType)
    .option("--reply-to <message-id>", "reply to a message of the conversation")
    .option("--each-line", "with -, send every non-empty line of stdin as its own message")
    .action(async (ref: string, text: string, opts: SendOptions, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const input = text === "-" ? await readAll(io.stdin) : text;
      const contents = opts.eachLine
        ? input.split(/\r?\n/).filter((l) => l.trim() !== "")
        : [input.replace(/\r?\n$/, "")];
      if (contents.length === 0 || contents.every((c) => c === "")) {
        throw new UsageError("Nothing to send: the message is empty");
      }
      const client = await ctx.client();
      const cid = await conversationId(client, ref);
      const sent: Message[] = [];
      for (const content of contents) {
        // One at a time: the conversation's order is the order of the lines.
        const message = await client.messages.send(cid, {
          content,
          ...(opts.contentType ? { content_type: opts.contentType } : {}),
          ...(opts.replyTo ? { reply_to_id: opts.replyTo } : {}),
        });
        sent.push(message);
        if (contents.length > 1) ctx.out.progress(`Sent ${sent.length}/${contents.length}…`);
      }
      ctx.out.clearProgress();
      if (ctx.out.jsonMode) {
        return ctx.out.json(
          opts.eachLine ? { data: sent, has_more: false, next_cursor: null } : sent[0],
        );
      }
      const first = sent[0];
      const last = sent.at(-1);
      if (first && last && sent.length > 1) {
        ctx.out.line(`Sent ${sent.length} messages (#${first.seq}-#${last.seq}) to ${cid}`);
      } else if (first) {
        ctx.out.line(`Sent #${first.seq} to ${cid} (${first.id})`);
      }
    });

  program
    .command("messages")
    .description("Read a conversation's messages (latest first page by default)")
    .argument("<conversation>", "cnv_…, or @handle for the direct conversation")
    .option("--after <message-id>", "only messages after this one, oldest first (catching up)")
    .option("--before <message-id>", "only messages before this one")
    .option("--limit <n>", "messages per page (1-100, default 20)", positiveInt)
    .option("--all", "every page (with --after: everything since)")
    .action(
      async (
        ref: string,
        opts: { after?: string; before?: string; limit?: number; all?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(io, cmd);
        if (opts.after && opts.before) throw new UsageError("Use --after or --before, not both");
        const client = await ctx.client();
        const cid = await conversationId(client, ref);
        const query = {
          limit: opts.limit ?? (opts.all ? 100 : 20),
          ...(opts.after ? { after: opts.after } : {}),
          ...(opts.before ? { before: opts.before } : {}),
        };
        const page = await collect(ctx, client.messages.list(cid, query), {
          all: opts.all,
          noun: "messages",
        });
        if (ctx.out.jsonMode) return ctx.out.json(page);
        // The API pages newest first unless catching up with --after; people read oldest first.
        const shown = opts.after ? page.data : [...page.data].reverse();
        const handle = handleCache(client);
        const authors = await Promise.all(shown.map((m) => handle(m.author_id)));
        ctx.out.table<[Message, string]>(
          shown.map((m, i) => [m, authors[i] ?? m.author_id]),
          [
            { header: "seq", cell: ([m]) => `#${m.seq}` },
            { header: "sent", cell: ([m]) => when(m.created_at) },
            { header: "from", cell: ([, a]) => ctx.out.style.cyan(a) },
            {
              header: "message",
              cell: ([m]) => (m.deleted_at ? ctx.out.style.dim("(deleted)") : (m.content ?? "")),
              max: 200,
            },
          ],
          "No messages.",
        );
        if (page.has_more) {
          const edge = page.data.at(-1);
          const flag = opts.after ? "--after" : "--before";
          ctx.out.note(
            ctx.out.style.dim(`More: fluxra messages ${cid} ${flag} ${edge?.id} (or --all)`),
          );
        }
      },
    );

  program
    .command("read")
    .description("Mark a conversation read (up to its latest message, or --message)")
    .argument("<conversation>", "cnv_…, or @handle for the direct conversation")
    .option("--message <message-id>", "mark read up to this message")
    .action(async (ref: string, opts: { message?: string }, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const cid = await conversationId(client, ref);
      const target =
        opts.message ?? (await client.messages.list(cid, { limit: 1 }).firstPage()).data[0]?.id;
      if (!target) {
        if (ctx.out.jsonMode) return ctx.out.json({ last_read_message_id: null, unread_count: 0 });
        return ctx.out.line("No messages to mark read.");
      }
      const marker = await client.conversations.markRead(cid, target);
      if (ctx.out.jsonMode) return ctx.out.json(marker);
      ctx.out.line(
        `Marked ${cid} read up to ${marker.last_read_message_id} (${marker.unread_count} unread).`,
      );
    });
}
