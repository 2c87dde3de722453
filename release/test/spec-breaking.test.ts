import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readChangesets } from "../src/changesets.js";
import { diffSpecs, loadReleasedSpecs } from "../src/spec-diff/index.js";
import { repoRoot } from "../src/workspace.js";

// The API breakage check: the current bundle against the last released one
// (openapi/released/<version>.json). A breaking change needs a changeset that releases
// @fluxra/sdk as major, since SDK users are the clients it breaks.
const released = loadReleasedSpecs();
const current = JSON.parse(readFileSync(join(repoRoot, "openapi/bundled/fluxra.json"), "utf8"));

it("has a released snapshot for the spec's current or an earlier API version", () => {
  expect(released.length).toBeGreaterThan(0);
});

it("no breaking API change since the last release, unless a changeset releases @fluxra/sdk as major", () => {
  const last = released.at(-1);
  const breaking = diffSpecs(last?.spec, current)
    .filter((c) => c.level === "breaking")
    .map((c) => `${c.operation ?? ""} ${c.where}: ${c.message}`);
  const sdkMajor = readChangesets(join(repoRoot, ".changeset")).some(
    (c) => c.releases["@fluxra/sdk"] === "major",
  );
  if (sdkMajor) return;
  expect(
    breaking,
    `Breaking changes against API ${last?.version}: keep the old shape, mark new operations x-fluxra-preview, or add a changeset releasing "@fluxra/sdk": major`,
  ).toEqual([]);
});

it("would catch a breaking edit of the real spec: a removed response field and a new required request field", () => {
  const edited = structuredClone(current);
  const schemas = edited.components.schemas;
  delete schemas.Message.properties.seq;
  schemas.SendMessageRequest.properties.priority = { type: "integer" };
  schemas.SendMessageRequest.required = [
    ...(schemas.SendMessageRequest.required ?? []),
    "priority",
  ];
  const breaking = diffSpecs(current, edited)
    .filter((c) => c.level === "breaking")
    .map((c) => `${c.operation} ${c.where}: ${c.message}`);
  expect(breaking).toContain(
    "POST /api/conversations/{conversation_id}/messages request body.priority: new required field",
  );
  expect(breaking.filter((b) => b.endsWith(".seq: field removed")).length).toBeGreaterThan(0);
});
