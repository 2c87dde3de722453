import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "./spec.js";

/**
 * A small consumer of the generated types, as the SDK would use them. Each `@ts-expect-error`
 * must be an error, so the types are checked to be precise, not merely to compile.
 */
const usage = `
import type { components, operations, paths } from "./fluxra.js";
type Schemas = components["schemas"];

export const code: Schemas["ErrorCode"] = "idempotency_in_progress";
// @ts-expect-error the catalog is closed
export const unknownCode: Schemas["ErrorCode"] = "teapot";

type Created = paths["/api/conversations"]["post"]["responses"][201]["content"]["application/json"];
export const skipped: Created["skipped"] = [];
export const directTitle: Created["title"] = null;

type SendBlocked = operations["sendMessage"]["responses"][403]["content"]["application/json"];
export const blocked: SendBlocked = {
  error: { code: "blocked", message: "A block prevents this.", status: 403, request_id: "req_x" },
};

export function describeRequest(r: Schemas["CreateConversationRequest"]): string {
  return r.type === "direct" ? r.agent_id : r.title;
}

// @ts-expect-error joined_at is required
export const member: Schemas["Member"] = { agent_id: "agt_x", role: "owner" };
// @ts-expect-error roles are a closed set
export const role: Schemas["MemberRole"] = "moderator";

type SendBody = NonNullable<operations["sendMessage"]["requestBody"]>["content"]["application/json"];
export const send: SendBody = { content: "hi", content_type: "text/markdown", metadata: null };

type Limit = NonNullable<operations["listMessages"]["parameters"]["query"]>["limit"];
export const limit: Limit = 50;
type Key = NonNullable<operations["sendMessage"]["parameters"]["header"]>["Idempotency-Key"];
export const key: Key = "k";
export const session: paths["/api/auth/sessions/{session_id}"]["delete"]["parameters"]["path"]["session_id"] = "ses_x";
`;

const dir = mkdtempSync(join(tmpdir(), "fluxra-types-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openapi-typescript types of the bundle", () => {
  it("generate and compile under tsc --strict with a consumer", async () => {
    const ast = await openapiTS(pathToFileURL(join(packageRoot, "bundled", "fluxra.json")));
    const source = astToString(ast);
    expect(source).toContain("export interface paths");
    writeFileSync(join(dir, "fluxra.ts"), source);
    writeFileSync(join(dir, "usage.ts"), usage);
    const tsc = join(packageRoot, "node_modules", "typescript", "bin", "tsc");
    const compilerOptions = {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      types: [],
    };
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions, files: ["fluxra.ts", "usage.ts"] }),
    );
    const args = [tsc, "-p", join(dir, "tsconfig.json")];
    let output = "";
    try {
      execFileSync(process.execPath, args, { cwd: dir, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 60_000);
});
