import { join, resolve } from "node:path";
import { type SeededAgent, seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, startProcess } from "./server-process.js";

/** What {@link startSendServer} made: the server, its agent and conversation, the send request. */
export interface SendServer {
  server: RunningServer;
  agent: SeededAgent;
  conversation: string;
  /** The bench's message send (autocannon request) as the agent, into the conversation. */
  req: { method: "POST"; path: string; headers: Record<string, string>; body: string };
}

/**
 * A server build (`<dist>/cli.js`, a copy of apps/server/dist inside apps/server so its imports
 * resolve) on a fresh SQLite file at `db`, rate limits off, with one agent (`handle`) in one
 * group conversation of its own and, when `warm` > 0, that many messages sent first: the set-up
 * the send instruments (gc-count, send-promises, send-threads, send-alloc) share.
 */
export async function startSendServer(
  dist: string,
  db: string,
  handle: string,
  {
    env = {},
    nodeFlags = [],
    warm = 0,
  }: { env?: Record<string, string>; nodeFlags?: string[]; warm?: number } = {},
): Promise<SendServer> {
  const server = await startProcess({
    args: [join(resolve(dist), "cli.js"), "--port", "0", "--db", db, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off", ...env },
    nodeFlags,
  });
  const agent = await seedAgent(server.url, handle);
  const conversation = await seedConversation(server.url, agent, "bench", []);
  if (warm > 0) await sendMessages(server.url, agent, conversation, warm);
  const req = {
    method: "POST" as const,
    path: `/api/conversations/${conversation}/messages`,
    headers: { authorization: `Bearer ${agent.accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      content: "benchmark message: the quick brown fox jumps over the lazy dog",
    }),
  };
  return { server, agent, conversation, req };
}
