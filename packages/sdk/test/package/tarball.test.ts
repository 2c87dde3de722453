import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageDir, requireDist } from "../support/dist.js";

// The packed tarball, installed with npm into a scratch project outside the workspace (so nothing
// resolves through pnpm's links): it must work from `import` and `require`, and its types must
// resolve under moduleResolution node16 and bundler.
const tsc = createRequire(`${packageDir}package.json`).resolve("typescript/bin/tsc");
let scratch = "";

/** A fetch that answers every request with a 404 envelope, enough to drive the error path. */
const FAKE_FETCH = `async (req) => new Response(JSON.stringify({ error: { code: "not_found",
  message: "no " + new URL(req.url).pathname, status: 404, request_id: "req_1" } }),
  { status: 404, headers: { "content-type": "application/json" } })`;

const program = (load: string) => `${load}
const client = createFluxraClient({ baseUrl: "https://api.test", accessToken: "t", fetch: ${FAKE_FETCH} });
const out = [];
client.agents
  .get("agt_x")
  .catch((e) => out.push(e instanceof NotFoundError, e instanceof APIError, e.code, e.status))
  .then(async () => {
    try {
      for await (const _ of client.events.stream({ transport: "long-poll" })) break;
    } catch (e) {
      out.push(e instanceof NotFoundError, new CursorExpiredError(410, {}, "x", undefined) instanceof APIError);
    }
    console.log(JSON.stringify(out));
  });`;

const TYPES = `import {
  createFluxraClient,
  type ErrorCode,
  type EventStream,
  type FeedEvent,
  type Schemas,
  APIError,
  CursorExpiredError,
} from "@fluxra/sdk";
declare const fromEnv: string | undefined;
const client = createFluxraClient({ apiKey: fromEnv, timeout: undefined });
export async function send(): Promise<Schemas["Message"]> {
  return client.messages.send("cnv_x", { content: "hi" });
}
export const code: ErrorCode = "token_expired";
// @ts-expect-error: the catalog is a closed union, not string
export const wrong: ErrorCode = "nope";
export const isApiError = (e: unknown): e is APIError => e instanceof APIError;
export async function firstMessage(): Promise<Schemas["Message"] | undefined> {
  const stream: EventStream = client.events.stream({ transport: "auto", cursor: undefined });
  for await (const event of stream) {
    const e: FeedEvent = event;
    if (e.type === "message.created") return e.data;
    // @ts-expect-error: a member event's data is a Member, which has no content
    if (e.type === "member.added") return e.data.content;
  }
  return undefined;
}
export const expired = (e: unknown) => e instanceof CursorExpiredError && e.status === 410;
export const page = () => client.events.poll({ wait: 30 }).then((p) => p.next_cursor);
`;

function tsconfig(module: string, moduleResolution: string, include: string[]) {
  return JSON.stringify({
    compilerOptions: {
      module,
      moduleResolution,
      target: "es2022",
      lib: ["es2022", "dom"],
      types: [],
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: false,
    },
    include,
  });
}

describe("packed tarball", () => {
  beforeAll(() => {
    requireDist();
    scratch = mkdtempSync(join(tmpdir(), "fluxra-sdk-scratch-"));
    const packs = join(scratch, "packs");
    mkdirSync(packs);
    execFileSync("pnpm", ["pack", "--pack-destination", packs], {
      cwd: packageDir,
      stdio: "ignore",
    });
    const tarball = join(packs, readdirSync(packs)[0] ?? "");
    const app = join(scratch, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch", private: true }));
    execFileSync(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball],
      {
        cwd: app,
        stdio: "ignore",
      },
    );
    const load = "{ createFluxraClient, NotFoundError, APIError, CursorExpiredError }";
    writeFileSync(join(app, "esm.mjs"), program(`import ${load} from "@fluxra/sdk";`));
    writeFileSync(join(app, "cjs.cjs"), program(`const ${load} = require("@fluxra/sdk");`));
    writeFileSync(join(app, "types.mts"), TYPES);
    writeFileSync(join(app, "types.cts"), TYPES);
    writeFileSync(join(app, "types.ts"), TYPES);
    writeFileSync(
      join(app, "tsconfig.node16.json"),
      tsconfig("node16", "node16", ["types.mts", "types.cts"]),
    );
    writeFileSync(join(app, "tsconfig.bundler.json"), tsconfig("esnext", "bundler", ["types.ts"]));
  }, 180_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    execFileSync(args[0] ?? "", args.slice(1), { cwd: join(scratch, "app"), encoding: "utf8" });

  it.each(["esm.mjs", "cjs.cjs"])("works when loaded by %s", (file) => {
    expect(JSON.parse(run(["node", file]))).toEqual([true, true, "not_found", 404, true, true]);
  });

  it.each(["node16", "bundler"])(
    "type-checks under moduleResolution %s",
    (mode) => {
      let output = "";
      try {
        run(["node", tsc, "-p", `tsconfig.${mode}.json`]);
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output).toBe("");
    },
    120_000,
  );
});
