/**
 * The ceiling: a bare Hono app on @hono/node-server (same versions as the reference server) with
 * the measured routes. POST routes parse the JSON body like the real ones; every route answers
 * with the exact bytes the reference server returned for the same call (captured by the parent
 * and passed as a JSON file), so only the server's own work differs.
 *
 * Usage: node --import tsx bench/src/bare-server.ts <responses.json>
 */
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

/** One captured response the bare app replays. */
export interface CapturedResponse {
  method: "GET" | "POST";
  /** Hono route pattern, e.g. `/api/conversations/:id/messages`. */
  route: string;
  status: number;
  body: string;
}

const file = process.argv[2];
if (!file) throw new Error("usage: bare-server.ts <responses.json>");
const responses = JSON.parse(readFileSync(file, "utf8")) as CapturedResponse[];
const app = new Hono();
const headers = { "content-type": "application/json" };
for (const r of responses) {
  const bytes = Buffer.from(r.body);
  const status = r.status as 200;
  if (r.method === "POST") {
    app.post(r.route, async (c) => {
      await c.req.json();
      return c.body(bytes, status, headers);
    });
  } else {
    app.get(r.route, (c) => c.body(bytes, status, headers));
  }
}
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  console.log(`bare hono listening on http://127.0.0.1:${info.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
