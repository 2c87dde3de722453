import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pageTitles, TAG_PAGES, tagPages } from "./pages.js";
import { loadSpec } from "./spec.js";

const site = mkdtempSync(join(tmpdir(), "fluxra-pages-"));
afterAll(() => rmSync(site, { recursive: true, force: true }));

describe("tag pages", () => {
  it("are the pages holding each tag's operations directive, in the spec's tag order", () => {
    const tags = (loadSpec().tags ?? []).map((t) => t.name);
    expect(Object.keys(TAG_PAGES)).toEqual(tags.filter((t) => TAG_PAGES[t] !== undefined));
    expect(Object.keys(TAG_PAGES).length).toBeGreaterThan(0);
    for (const link of Object.values(TAG_PAGES)) expect(pageTitles()[link], link).toBeTruthy();
    expect(pageTitles()["/authentication"]).toBe("Authentication");
  });

  it("pick up a new domain's page without a registry edit; a tag without one has none", () => {
    writeFileSync(
      join(site, "widgets.md"),
      '---\ntitle: Widgets\n---\n\n# Widgets\n\n<!-- fluxra:operations tag="Widgets" -->\n',
    );
    writeFileSync(join(site, "README.md"), '<!-- fluxra:operations tag="Gadgets" -->\n');
    const tags = [{ name: "Widgets" }, { name: "Gadgets" }, { name: "Health" }];
    expect(tagPages(site, tags)).toEqual({ Widgets: "/widgets" });
    expect(pageTitles(site)).toEqual({ "/widgets": "Widgets" });
  });
});
