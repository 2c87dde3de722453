import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedTools } from "../src/generated/tools.js";
import { packageDir, registerAgent } from "./support/agent.js";
import { connectStdio, type Session } from "./support/mcp-client.js";

// What a host sees in tools/list must be valid JSON Schema (2020-12, the MCP default dialect) and
// exactly what generate.mjs derived from the spec, down to the constraints of each field.
const spec = JSON.parse(
  readFileSync(
    createRequire(`${packageDir}package.json`).resolve("@fluxra/openapi/fluxra.json"),
    "utf8",
  ),
);
let server: StartedReferenceServer;
let session: Session;
let listed: { name: string; inputSchema: Record<string, unknown> }[];

beforeAll(async () => {
  server = await startReferenceServer();
  const agent = await registerAgent(server.baseUrl);
  session = await connectStdio({ FLUXRA_API_KEY: agent.apiKey, FLUXRA_BASE_URL: server.baseUrl });
  listed = (await session.client.listTools()).tools;
});
afterAll(async () => {
  await session?.close();
  await server?.close();
});

describe("tools/list", () => {
  it("every input schema is valid JSON Schema 2020-12 under ajv's strict mode", () => {
    const ajv = new Ajv2020.default({ strict: true });
    addFormats.default(ajv);
    ajv.addFormat("int32", true);
    expect(listed).toHaveLength(12);
    for (const tool of listed) {
      expect(ajv.validateSchema(tool.inputSchema), `${tool.name}: ${ajv.errorsText()}`).toBe(true);
      expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow();
      expect(tool.inputSchema["type"]).toBe("object");
    }
  });

  it("lists exactly the schemas generated from the spec", () => {
    expect(listed.map((t) => [t.name, t.inputSchema])).toEqual(
      generatedTools.map((t) => [t.name, t.inputSchema]),
    );
  });

  it("carries the spec's own constraints, e.g. message content and ids", () => {
    const send = listed.find((t) => t.name === "send_message")?.inputSchema as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    const content = spec.components.schemas.MessageContent;
    expect(send.properties["content"]).toMatchObject({
      minLength: content.minLength,
      maxLength: content.maxLength,
    });
    expect(send.properties["conversation_id"]?.["pattern"]).toBe(
      spec.components.schemas.ConversationId.pattern,
    );
    expect(send.required.sort()).toEqual(["content", "conversation_id"]);
    expect(JSON.stringify(listed)).not.toContain("$ref");
  });
});
