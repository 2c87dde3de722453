import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./helpers/browser.js";
import { type RunningServer, startServer } from "./helpers/server.js";
import { type StaticSite, serveStatic } from "./helpers/static-server.js";

// The SDK in a real browser, not a V8 context with web globals: its source is bundled by esbuild
// for `platform: "browser"`, loaded by a page in headless Debian Chromium, and driven against the
// real reference server on ANOTHER origin (a different loopback port), so every call goes
// through CORS, preflights included.
const repoRoot = resolve(import.meta.dirname, "../..");
const sdkEntry = resolve(repoRoot, "packages/sdk/src/index.ts");

/** The part of esbuild's API used here (esbuild is vite's dependency, not a docs-site one). */
interface EsbuildMessage {
  text: string;
  location: { file: string; line: number } | null;
  notes: { text: string }[];
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: { text: string }[];
    metafile: { inputs: Record<string, { imports: { path: string }[] }> };
  }>;
}
const esbuild = createRequire(createRequire(import.meta.url).resolve("vite/package.json"))(
  "esbuild",
) as Esbuild;

/**
 * Bundles the SDK source into one browser ESM file.
 * @throws naming the importer when anything reaches a Node built-in (`node:x` or a bare `crypto`).
 */
async function bundleSdk(): Promise<string> {
  const builtIn = (m: EsbuildMessage) =>
    /"node:[\w/]+"/.test(m.text) || m.notes.some((n) => n.text.includes("built into node"));
  const fail = (lines: string[]) =>
    new Error(`the SDK's browser bundle pulls in a Node built-in:\n${lines.join("\n")}`);
  let result: Awaited<ReturnType<Esbuild["build"]>>;
  try {
    result = await esbuild.build({
      entryPoints: [sdkEntry],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
  } catch (error) {
    const errors = (error as { errors?: EsbuildMessage[] }).errors ?? [];
    if (errors.some(builtIn))
      throw fail(errors.map((m) => `${m.location ? `${m.location.file}: ` : ""}${m.text}`));
    throw error;
  }
  const nodeImports = Object.entries(result.metafile.inputs).flatMap(([file, input]) =>
    input.imports.filter((i) => i.path.startsWith("node:")).map((i) => `${file} → ${i.path}`),
  );
  if (nodeImports.length > 0) throw fail(nodeImports);
  const text = result.outputFiles[0]?.text ?? "";
  const inOutput = text.match(/["']node:[\w/]+["']/g);
  if (inOutput) throw fail(inOutput);
  return text;
}

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Fluxra SDK in the browser</title></head>
<body>
<script type="module">
import * as sdk from "/sdk.js";
window.FluxraSDK = sdk;
</script>
</body>
</html>
`;

/** A message as the page reports it (`content` is null once a message is deleted). */
interface SentMessage {
  id: string;
  seq: number;
  content: string | null;
}

/** What the page reports; only plain data crosses back to Node. */
interface Scenario {
  agentId: string;
  handle: string;
  recoveryKeyPrefix: string;
  apiKeyPrefix: string;
  me: { id: string; handle: string };
  conversation: { id: string; type: string; title: string | null | undefined };
  sent: SentMessage[];
  iterated: SentMessage[];
  toArray: SentMessage[];
  after: SentMessage[];
  missing: {
    name: string;
    code: unknown;
    status: unknown;
    isNotFound: boolean;
    isAPIError: boolean;
    isFluxraError: boolean;
  } | null;
  refreshed: { reason: string; sessionId: string | undefined; expiresIn: number | undefined }[];
  secureContext: boolean;
  origin: string;
}

let dir: string;
let site: StaticSite;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let bundleBytes = 0;
let result: Scenario;
const problems: string[] = [];
const apiRequests: Request[] = [];
const apiResponses: { method: string; url: string; status: number; allowOrigin?: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-sdk-browser-"));
  writeFileSync(join(dir, "index.html"), page);
  writeFileSync(join(dir, "404.html"), "not found"); // serveStatic's answer to unknown paths
  site = await serveStatic(dir);
  const [bundle, started, launched] = await Promise.all([
    bundleSdk(),
    startServer({ FLUXRA_CORS_ORIGINS: site.origin }),
    launchBrowser(),
  ]);
  server = started;
  browser = launched;
  writeFileSync(join(dir, "sdk.js"), bundle);
  bundleBytes = Buffer.byteLength(bundle);
  // A page origin equal to the API's would hide every CORS problem.
  expect(new URL(server.baseUrl).origin).not.toBe(site.origin);

  context = await browser.newContext();
  const tab = await context.newPage();
  tab.on("pageerror", (error) => problems.push(`pageerror: ${String(error)}`));
  tab.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  tab.on("requestfailed", (request) =>
    problems.push(
      `requestfailed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`,
    ),
  );
  tab.on("request", (request) => {
    if (request.url().startsWith(server.baseUrl)) apiRequests.push(request);
  });
  tab.on("response", (response) => {
    if (!response.url().startsWith(server.baseUrl)) return;
    const allowOrigin = response.headers()["access-control-allow-origin"];
    apiResponses.push({
      method: response.request().method(),
      url: response.url(),
      status: response.status(),
      ...(allowOrigin ? { allowOrigin } : {}),
    });
  });
  await tab.goto(`${site.origin}/`);

  // Runs in the page: only the bundled SDK talks to the API. A failure there (a CORS rejection
  // surfaces as "Failed to fetch") is reported with what the page logged.
  result = await tab
    .evaluate(
      async ({ baseUrl, handle }) => {
        const sdk = (window as unknown as { FluxraSDK?: typeof import("@fluxra/sdk") }).FluxraSDK;
        if (!sdk) throw new Error("the SDK bundle did not load");
        const pick = (m: SentMessage) => ({
          id: m.id,
          seq: m.seq,
          content: m.content,
        });
        const anonymous = sdk.createFluxraClient({ baseUrl, maxRetries: 0 });
        const { agent, recovery_key } = await anonymous.auth.register({ handle });
        const { api_key } = await anonymous.auth.createApiKey(
          { name: "browser" },
          { recoveryKey: recovery_key },
        );
        const client = sdk.createFluxraClient({ baseUrl, apiKey: api_key, maxRetries: 0 });
        const refreshed: Scenario["refreshed"] = [];
        client.on("tokenRefreshed", (e) =>
          refreshed.push({ reason: e.reason, sessionId: e.sessionId, expiresIn: e.expiresIn }),
        );
        const me = await client.agents.me();
        const conversation = await client.conversations.create({
          type: "group",
          title: "Browser",
        });
        const sent = [];
        for (const content of ["one", "two", "three"]) {
          sent.push(pick(await client.messages.send(conversation.id, { content })));
        }
        const iterated = [];
        for await (const m of client.messages.list(conversation.id, { limit: 2 })) {
          iterated.push(pick(m));
        }
        const toArray = (await client.messages.list(conversation.id).toArray()).map(pick);
        const after = (
          await client.messages.list(conversation.id, { after: sent[0]?.id ?? "" }).toArray()
        ).map(pick);
        let missing: Scenario["missing"] = null;
        try {
          await client.conversations.get("cnv_01jr0000000000000000000000");
        } catch (error) {
          const e = error as { name: string; code?: unknown; status?: unknown };
          missing = {
            name: e.name,
            code: e.code,
            status: e.status,
            isNotFound: error instanceof sdk.NotFoundError,
            isAPIError: error instanceof sdk.APIError,
            isFluxraError: error instanceof sdk.FluxraError,
          };
        }
        await new Promise((done) => setTimeout(done, 0)); // listeners run in a microtask
        return {
          agentId: agent.id,
          handle: agent.handle,
          recoveryKeyPrefix: recovery_key.slice(0, 4),
          apiKeyPrefix: api_key.slice(0, 4),
          me: { id: me.id, handle: me.handle },
          conversation: { id: conversation.id, type: conversation.type, title: conversation.title },
          sent,
          iterated,
          toArray,
          after,
          missing,
          refreshed,
          secureContext: window.isSecureContext,
          origin: window.location.origin,
        };
      },
      {
        baseUrl: server.baseUrl,
        handle: `browser-${process.pid.toString(36)}-${Date.now().toString(36)}`,
      },
    )
    .catch((error: unknown) => {
      throw new Error(
        `the SDK scenario failed in Chromium: ${String(error)}\n${problems.join("\n")}`,
      );
    });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await site?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const path = (url: string) => new URL(url).pathname;

describe("@fluxra/sdk in headless Chromium, cross-origin", () => {
  it("bundles for the browser without Node built-ins and loads from another origin", () => {
    expect(bundleBytes).toBeGreaterThan(1_000);
    expect(result.origin).toBe(site.origin);
    // Loopback pages are secure contexts (crypto.randomUUID exists); elsewhere over plain http the
    // SDK falls back to crypto.getRandomValues for Idempotency-Key (unit-tested in the SDK).
    expect(result.secureContext).toBe(true);
  });

  it("registers, creates an api key and reads its own profile", () => {
    expect(result.agentId).toMatch(/^agt_[0-9a-z]{26}$/);
    expect(result.recoveryKeyPrefix).toBe("fxr_");
    expect(result.apiKeyPrefix).toBe("fxk_");
    expect(result.me).toEqual({ id: result.agentId, handle: result.handle });
  });

  it("creates a group, sends three messages and reads them back in order", () => {
    expect(result.conversation.id).toMatch(/^cnv_/);
    expect(result.conversation.type).toBe("group");
    expect(result.conversation.title).toBe("Browser");
    const expected = ["one", "two", "three"].map((content, i) => ({ seq: i + 1, content }));
    expect(result.sent.map(({ seq, content }) => ({ seq, content }))).toEqual(expected);
    for (const m of result.sent) expect(m.id).toMatch(/^msg_/);
    expect(new Set(result.sent.map((m) => m.id)).size).toBe(3);
    // Lists run newest first: `for await` over pages of 2 walks both pages, toArray gets the same;
    // `after` the first message runs oldest first from there.
    const newestFirst = [...result.sent].reverse();
    expect(result.iterated).toEqual(newestFirst);
    expect(result.toArray).toEqual(newestFirst);
    expect(result.after).toEqual(result.sent.slice(1));
    const pages = apiRequests.filter(
      (r) => r.method() === "GET" && path(r.url()).endsWith(`${result.conversation.id}/messages`),
    );
    expect(pages).toHaveLength(4); // two pages for `for await`, one for toArray, one for after
  });

  it("rejects a missing conversation with the SDK's NotFoundError", () => {
    expect(result.missing).toEqual({
      name: "NotFoundError",
      code: "not_found",
      status: 404,
      isNotFound: true,
      isAPIError: true,
      isFluxraError: true,
    });
  });

  it("fires tokenRefreshed once, for the first exchange", () => {
    expect(result.refreshed).toHaveLength(1);
    expect(result.refreshed[0]?.reason).toBe("exchange");
    expect(result.refreshed[0]?.sessionId).toMatch(/^ses_/);
    expect(result.refreshed[0]?.expiresIn).toBeGreaterThan(0);
    const exchanges = apiRequests.filter((r) => path(r.url()) === "/api/auth/token");
    expect(exchanges).toHaveLength(1);
  });

  it("sends an Idempotency-Key with every POST, and the server stores it", async () => {
    const posts = apiRequests.filter((r) => r.method() === "POST");
    expect(posts.map((r) => path(r.url()))).toEqual([
      "/api/auth/register",
      "/api/auth/api-keys",
      "/api/auth/token",
      "/api/conversations",
      ...result.sent.map(() => `/api/conversations/${result.conversation.id}/messages`),
    ]);
    const keys = await Promise.all(posts.map((r) => r.headerValue("idempotency-key")));
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    expect(new Set(keys).size).toBe(posts.length);
    for (const r of apiRequests.filter((r) => r.method() === "GET"))
      expect(await r.headerValue("idempotency-key")).toBeNull();

    // Server side: replaying the browser's first send with its key and token returns the stored
    // message instead of creating a fourth one.
    const first = posts[4];
    if (!first) throw new Error("no message POST recorded");
    const replay = await fetch(first.url(), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: (await first.headerValue("authorization")) ?? "",
        "Idempotency-Key": (await first.headerValue("idempotency-key")) ?? "",
      },
      body: first.postData() ?? "",
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const replayed = (await replay.json()) as { id: string; seq: number };
    expect(replayed).toMatchObject({ id: result.sent[0]?.id, seq: 1 });
  });

  it("gets CORS answers for the page's origin and no page or console errors", () => {
    expect(apiResponses.length).toBe(apiRequests.length);
    for (const r of apiResponses) expect(r.allowOrigin, `${r.method} ${r.url}`).toBe(site.origin);
    // The only non-2xx answer is the deliberate 404 (Chromium logs it as a console error).
    const failed = apiResponses.filter((r) => r.status >= 400);
    expect(failed.map((r) => `${r.method} ${path(r.url)} ${r.status}`)).toEqual([
      "GET /api/conversations/cnv_01jr0000000000000000000000 404",
    ]);
    expect(problems).toEqual([expect.stringMatching(/^console: Failed to load resource: .*404/)]);
  });
});
