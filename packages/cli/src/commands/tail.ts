import type { Message } from "@fluxra/sdk";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { Io } from "../output/io.js";
import { conversationId, handleCache, positiveInt, when } from "../resolve.js";
import { followEvents } from "../tail/feed.js";

interface TailOptions {
  interval?: number;
  count?: number;
  allEvents?: boolean;
}

/** `fluxra tail`: new messages as they arrive, until Ctrl-C (or `--count`). */
export function tailCommand(program: Command, io: Io): void {
  program
    .command("tail")
    .description("Follow new messages as they arrive (Ctrl-C to stop; --json gives NDJSON)")
    .argument("[conversations...]", "only these (cnv_… or @handle); all of yours by default")
    .option("--interval <ms>", "polling interval when the event feed is unavailable", positiveInt)
    .option("--count <n>", "stop after n events", positiveInt)
    .option(
      "--all-events",
      "every event of the feed (edits, deletes, members, read markers), not only new messages",
    )
    .action(async (refs: string[], opts: TailOptions, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const conversationIds = await Promise.all(refs.map((r) => conversationId(client, r)));
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const handle = handleCache(client);
      let received = 0;
      try {
        for await (const event of followEvents(client, {
          signal: stop.signal,
          conversationIds,
          ...(opts.interval ? { intervalMs: opts.interval } : {}),
          onReady: (transport) =>
            ctx.out.note(
              ctx.out.style.dim(`Following new messages (${transport}); Ctrl-C to stop.`),
            ),
        })) {
          if (!opts.allEvents && event.type !== "message.created") continue;
          if (ctx.out.jsonMode) {
            io.stdout.write(`${JSON.stringify(event)}\n`);
          } else if (event.type === "message.created") {
            const m = event.data as Message;
            const who = ctx.out.style.cyan(await handle(m.author_id));
            ctx.out.line(
              `${ctx.out.style.dim(when(m.created_at))}  ${m.conversation_id}  ${who}  ${m.content ?? ""}`,
            );
          } else {
            ctx.out.line(`${ctx.out.style.dim(when(event.created_at))}  ${event.type}`);
          }
          received += 1;
          if (opts.count && received >= opts.count) break;
        }
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
