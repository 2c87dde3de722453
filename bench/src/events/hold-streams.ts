/**
 * Child process of the Events bench: holds `count` idle SSE streams on `base`, spread over the
 * access tokens in FLUXRA_BENCH_TOKENS (JSON array), prints `ready` once every stream has its
 * start frame, and exits when its stdin closes (the bench closed it or died) or on SIGTERM.
 * The streams live here rather than in the bench process so the sending client's own heap and
 * connection pool stay the same with and without them: the measure is the server's.
 */
import { subscribe } from "./sse-client.js";

const [base, count] = process.argv.slice(2);
const tokens = JSON.parse(process.env["FLUXRA_BENCH_TOKENS"] ?? "[]") as string[];
const subs = Array.from({ length: Number(count) }, (_, i) =>
  subscribe(base as string, tokens[i % tokens.length] as string, () => {}),
);
await Promise.all(subs.map((s) => s.ready));
process.stdout.write("ready\n");
const exit = () => {
  for (const s of subs) s.close();
  process.exit(0);
};
process.stdin.on("end", exit);
process.stdin.resume();
process.on("SIGTERM", exit);
