/**
 * One fresh process of `measureClientCold` (client-overhead.ts): the first calls of one side,
 * raw `fetch` or the SDK, of every call pair against a running server. Argument: JSON
 * `{ base, agent, conversationId, calls, side }`; prints the samples as JSON on stdout.
 */
import { clientPairs, coldSamples } from "./client-overhead.js";
import type { SeededAgent } from "./seed.js";

const { base, agent, conversationId, calls, side } = JSON.parse(process.argv[2] as string) as {
  base: string;
  agent: SeededAgent;
  conversationId: string;
  calls: number;
  side: "fetch" | "sdk";
};
const pairs = await clientPairs(base, agent, conversationId);
process.stdout.write(JSON.stringify(await coldSamples(pairs, side, calls)));
