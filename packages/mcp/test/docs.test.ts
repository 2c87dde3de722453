import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedTools } from "../src/generated/tools.js";
import { packageDir } from "./support/agent.js";

// The host snippets and tool tables users copy from: they must name the real package, bin, env
// variables and tools, and the JSON must parse.
const docs = {
  "docs-site/mcp.md": readFileSync(`${packageDir}../../docs-site/mcp.md`, "utf8"),
  "packages/mcp/README.md": readFileSync(`${packageDir}README.md`, "utf8"),
};

const blocks = (text: string, lang: string) =>
  [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1] ?? "");

describe.each(Object.entries(docs))("%s", (_name, text) => {
  it("has host configs that parse and start @fluxra/mcp with FLUXRA_API_KEY", () => {
    const configs = blocks(text, "json")
      .map((b) => JSON.parse(b))
      .filter((c) => c.mcpServers || c.servers);
    expect(configs.length).toBeGreaterThan(0);
    for (const config of configs) {
      const server = (config.mcpServers ?? config.servers).fluxra;
      expect(server).toMatchObject({ command: "npx", args: ["-y", "@fluxra/mcp"] });
      expect(Object.keys(server.env)).toEqual(["FLUXRA_API_KEY"]);
    }
  });

  it("lists exactly the tools the server serves", () => {
    const rows = [...text.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(generatedTools.map((t) => t.name));
  });
});
