import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageTitles } from "../.vitepress/reference/pages.js";
import { launchBrowser, watchPage } from "./helpers/browser.js";
import { type StaticSite, serveStatic } from "./helpers/static-server.js";

// The site as deployed below a path (https://example.com/docs/): built with FLUXRA_DOCS_BASE and
// FLUXRA_DOCS_ORIGIN into a temporary folder, served only under /docs/, driven in Chromium. A
// link, asset or script that ignores the base asks for a path outside /docs/ and gets a 404.
const docsRoot = resolve(import.meta.dirname, "..");
const base = "/docs/";
const publicOrigin = "https://example.com";
let out: string;
let site: StaticSite;
let browser: Browser;
let pages: string[];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "fluxra-docs-base-"));
  execFileSync(join(docsRoot, "node_modules/.bin/vitepress"), ["build", "--outDir", out], {
    cwd: docsRoot,
    env: { ...process.env, FLUXRA_DOCS_BASE: base, FLUXRA_DOCS_ORIGIN: publicOrigin },
    stdio: ["ignore", "ignore", "inherit"],
  });
  pages = readdirSync(out)
    .filter((f) => f.endsWith(".html") && f !== "404.html")
    .map((f) => (f === "index.html" ? "" : f.replace(/\.html$/, "")))
    .sort();
  site = await serveStatic(out, base);
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Front matter `title` and `description` of a page's Markdown source. */
function frontmatter(page: string): {
  title?: string | undefined;
  description?: string | undefined;
} {
  const src = readFileSync(join(docsRoot, `${page || "index"}.md`), "utf8");
  const block = src.match(/^---\n([\s\S]*?)\n---/)?.[1] ?? "";
  const field = (name: string) => block.match(new RegExp(`^${name}: (.+)$`, "m"))?.[1]?.trim();
  return { title: field("title"), description: field("description") };
}

async function open(path: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchPage(page, site.origin);
  await page.goto(`${site.origin}${base}${path}`, { waitUntil: "networkidle" });
  return { page, problems, close: () => context.close() };
}

describe("built under /docs/", () => {
  it("every page loads with all its assets from under /docs/, a title and description of its own, and an edit link", async () => {
    // Every page of the site (one per Markdown page, domain pages included) was built.
    const sourcePages = Object.keys(pageTitles()).map((link) => link.slice(1));
    expect(pages).toEqual(sourcePages.sort());
    const titles = new Set<string>();
    for (const path of pages) {
      const { page, problems, close } = await open(path);
      expect(problems.failedRequests, path).toEqual([]);
      expect(problems.consoleErrors, path).toEqual([]);
      expect(problems.externalRequests, path).toEqual([]);
      const { title, description } = frontmatter(path);
      expect(title, `${path}.md needs a title`).toBeTruthy();
      expect(
        description ?? (await page.locator(".VPHero .tagline").textContent()),
        path,
      ).toBeTruthy();
      const shownTitle = await page.title();
      expect(shownTitle).toContain(title ?? "");
      titles.add(shownTitle);
      const meta = await page.locator('meta[name="description"]').getAttribute("content");
      if (description) expect(meta).toBe(description);
      const icon = await page.locator('link[rel="icon"]').getAttribute("href");
      expect(icon).toBe(`${base}favicon.svg`);
      if (path !== "") {
        const edit = page.getByRole("link", { name: "Edit this page" });
        expect(await edit.getAttribute("href")).toBe(
          `https://github.com/tryfluxra/fluxra/edit/main/docs-site/${path}.md`,
        );
      }
      await close();
    }
    expect(titles.size).toBe(pages.length);
  });

  it("navigates between pages and to an operation without leaving /docs/", async () => {
    const { page, problems, close } = await open("quickstart");
    await page.locator('.VPSidebar a[href="/docs/chat"]').click();
    await page.waitForURL(`${site.origin}/docs/chat`);
    await page.locator(".VPDoc h1", { hasText: "Chat" }).waitFor();
    await page.locator('.VPSidebar a[href="/docs/api-changelog"]').click();
    await page.waitForURL(`${site.origin}/docs/api-changelog`);
    await page.locator(".VPDoc h2", { hasText: "Unreleased" }).waitFor();
    const hrefs = await page
      .locator(".VPContent a[href^='/'], .VPNav a[href^='/']")
      .evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
    expect(hrefs.length).toBeGreaterThan(5);
    expect(hrefs.filter((h) => !h.startsWith(base))).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    await close();
  });

  it("local search works under the base", async () => {
    const { page, problems, close } = await open("");
    await page.getByRole("button", { name: "Search" }).click();
    const box = page.getByRole("combobox").or(page.locator("#localsearch-input"));
    await box.first().fill("sendMessage");
    const hit = page.locator(".VPLocalSearchBox .result", { hasText: "Send a message" }).first();
    await hit.waitFor();
    expect(await hit.getAttribute("href")).toMatch(/^\/docs\/chat#sendmessage$/i);
    expect(problems.failedRequests).toEqual([]);
    await close();
  });

  it("publishes a sitemap with every page at its public URL under /docs/", () => {
    const sitemap = readFileSync(join(out, "sitemap.xml"), "utf8");
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]).sort();
    expect(locs).toEqual(pages.map((p) => `${publicOrigin}${base}${p}`).sort());
  });
});
