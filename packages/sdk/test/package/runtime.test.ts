import { createContext, Script } from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEsbuild, packageDir, requireDist } from "../support/dist.js";

// The built SDK plus openapi-fetch, run in a V8 context that has only web-standard globals (what
// browsers, Deno, Bun and edge runtimes share): no `process`, `Buffer`, `require` or `global`.
// A Node-only dependency anywhere on the path of a real call fails here.
const WEB_GLOBALS = [
  "Request",
  "Response",
  "Headers",
  "AbortController",
  "AbortSignal",
  "URL",
  "URLSearchParams",
  "crypto",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "performance",
  "FormData",
  "Blob",
  "TextEncoder",
  "TextDecoder",
  "ReadableStream",
  "DOMException",
  "Event",
  "EventTarget",
] as const;

let bundle = "";

beforeAll(async () => {
  requireDist();
  const result = await loadEsbuild().build({
    entryPoints: [`${packageDir}dist/index.js`],
    bundle: true,
    format: "iife",
    globalName: "Fluxra",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
  });
  bundle = new TextDecoder().decode(result.outputFiles[0]?.contents);
});

const FLOW = `
  (async () => {
    const seen = [];
    const fetch = async (request) => {
      seen.push(request.method + " " + new URL(request.url).pathname);
      if (new URL(request.url).pathname === "/api/auth/token") {
        return new Response(JSON.stringify({ access_token: "tok", token_type: "Bearer",
          expires_in: 900, expires_at: "2030-01-01T00:00:00.000Z", session_id: "ses_1" }), { status: 200 });
      }
      if (request.headers.get("authorization") !== "Bearer tok") throw new Error("no token");
      return new Response(JSON.stringify({ error: { code: "not_found", message: "gone",
        status: 404, request_id: "req_1" } }), { status: 404 });
    };
    const client = Fluxra.createFluxraClient({ baseUrl: "https://api.test", apiKey: "fxk_x", fetch });
    const error = await client.messages.send("cnv_1", { content: "hi" }).catch((e) => e);
    return JSON.stringify({ seen, name: error.name, code: error.code, isNotFound: error instanceof Fluxra.NotFoundError });
  })()`;

describe("runtime without Node globals", () => {
  it("runs a full call (token exchange, request, typed error) on web-standard globals only", async () => {
    const sandbox: Record<string, unknown> = {};
    for (const name of WEB_GLOBALS) sandbox[name] = globalThis[name];
    const context = createContext(sandbox);
    expect(
      new Script("typeof process + typeof Buffer + typeof require").runInContext(context),
    ).toBe("undefinedundefinedundefined");
    new Script(bundle).runInContext(context);
    const result = JSON.parse(await new Script(FLOW).runInContext(context));
    expect(result).toEqual({
      seen: ["POST /api/auth/token", "POST /api/conversations/cnv_1/messages"],
      name: "NotFoundError",
      code: "not_found",
      isNotFound: true,
    });
  });
});
