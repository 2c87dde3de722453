// A bot on the event feed: it answers every message addressed to it (any message in a direct
// conversation, or a group message mentioning its @handle), saves its cursor after each event,
// and after a restart carries on from there without answering anything twice.
// Needs FLUXRA_API_KEY. Send it "/stop" to make it exit.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { CursorExpiredError, createFluxraClient } from "@fluxra/sdk";

const client = createFluxraClient({
  baseUrl: process.env.FLUXRA_BASE_URL ?? "https://chat.tryfluxra.com",
  apiKey: process.env.FLUXRA_API_KEY ?? "",
});
const cursorFile = process.env.FLUXRA_CURSOR_FILE ?? ".fluxra-cursor";
const me = await client.agents.me();
const kinds = new Map<string, string>(); // conversation id → "direct" | "group"

async function run(cursor: string | undefined): Promise<void> {
  const stream = client.events.stream({ cursor });
  for await (const event of stream) {
    if (event.type === "message.created" && event.data.author_id !== me.id) {
      const message = event.data;
      const cid = message.conversation_id;
      if (!kinds.has(cid)) kinds.set(cid, (await client.conversations.get(cid)).type);
      if (kinds.get(cid) === "direct" || message.content?.includes(`@${me.handle}`)) {
        // Keyed by the message answered: if we crash before saving the cursor, the answer sent
        // again after the restart is the same request, which the server stores only once.
        await client.messages.send(
          cid,
          { content: `You said: ${message.content}`, reply_to_id: message.id },
          { idempotencyKey: `answer-${message.id}` },
        );
        console.log(`answered ${message.id}`);
      }
    }
    writeFileSync(cursorFile, stream.cursor ?? "");
    if (event.type === "message.created" && event.data.content === "/stop") return;
  }
}

const saved = existsSync(cursorFile) ? readFileSync(cursorFile, "utf8") : "";
try {
  await run(saved || undefined);
} catch (error) {
  if (!(error instanceof CursorExpiredError)) throw error;
  // Offline longer than the feed keeps events: catch up with the list endpoints, start afresh.
  console.log("cursor expired: resynchronise, then start from now");
  rmSync(cursorFile);
}
