import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageTitles, TAG_PAGES } from "../.vitepress/reference/pages.js";
import { listOperations, loadSpec } from "../.vitepress/reference/spec.js";
import { createAgent } from "./helpers/agents.js";
import { launchBrowser, watchPage } from "./helpers/browser.js";
import { type RunningServer, startServer } from "./helpers/server.js";
import { type StaticSite, serveStatic } from "./helpers/static-server.js";

// Drives the BUILT site (`vitepress build` runs first in the package's test script) in headless
// Debian Chromium, as a reader's browser would see it.
const docsRoot = resolve(import.meta.dirname, "..");
const dist = resolve(docsRoot, ".vitepress/dist");
const screenshots = resolve(docsRoot, "test-results");
const spec = loadSpec();

if (!existsSync(dist))
  throw new Error("No built site: run `vitepress build` first (the test script does).");

/** Every page of the built site, as clean URLs. */
const pages = readdirSync(dist)
  .filter((f) => f.endsWith(".html") && f !== "404.html")
  .map((f) => (f === "index.html" ? "/" : `/${f.replace(/\.html$/, "")}`))
  .sort();

let site: StaticSite;
let browser: Browser;

beforeAll(async () => {
  site = await serveStatic(dist);
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function open(path: string, options: { width?: number; dark?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.dark ? "dark" : "light",
  });
  const page = await context.newPage();
  const problems = watchPage(page, site.origin);
  await page.goto(`${site.origin}${path}`, { waitUntil: "networkidle" });
  return { page, problems, close: () => context.close() };
}

/** Accessibility problems a reader would hit: skipped heading levels, images without alt, unlabelled controls. */
function a11yProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const content = document.querySelector(".VPContent") ?? document.body;
    let previous = 0;
    for (const h of content.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
      if ((h as HTMLElement).offsetParent === null && h.closest("details") === null) continue;
      const level = Number(h.tagName[1]);
      if (previous > 0 && level > previous + 1)
        out.push(`heading ${h.tagName} "${h.textContent}" skips a level`);
      previous = level;
    }
    if (document.querySelectorAll("h1").length !== 1)
      out.push(`${document.querySelectorAll("h1").length} h1 elements`);
    for (const img of document.querySelectorAll("img")) {
      if (!img.hasAttribute("alt")) out.push(`image without alt: ${img.src}`);
    }
    for (const el of document.querySelectorAll("input, textarea, select, button")) {
      const control = el as HTMLInputElement;
      if (control.type === "hidden") continue;
      const labelled =
        control.getAttribute("aria-label") ||
        control.getAttribute("aria-labelledby") ||
        (control.id && document.querySelector(`label[for="${control.id}"]`)) ||
        control.closest("label") ||
        (el.tagName === "BUTTON" && el.textContent?.trim()) ||
        control.getAttribute("title");
      if (!labelled)
        out.push(`unlabelled ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
    }
    if (!document.documentElement.lang) out.push("no lang on <html>");
    return out;
  });
}

describe("every page", () => {
  it("the build produced the expected pages", () => {
    // The guides, and one page per domain of the spec (tagPages finds them by their directive).
    const domainPages = Object.values(TAG_PAGES);
    expect(domainPages.length).toBeGreaterThan(0);
    expect(pages).toEqual(
      [
        ...new Set([
          "/",
          "/api-changelog",
          "/cli",
          "/conventions",
          "/mcp",
          "/quickstart",
          "/reference",
          ...domainPages,
        ]),
      ].sort(),
    );
  });

  it.each(pages)(
    "%s loads with no console error, failed or external request, and accessible markup",
    async (path) => {
      const { page, problems, close } = await open(path);
      expect(await page.locator("h1").first().textContent()).toBeTruthy();
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.failedRequests).toEqual([]);
      expect(problems.externalRequests).toEqual([]);
      expect(await a11yProblems(page)).toEqual([]);
      await close();
    },
  );
});

/** Lowest WCAG contrast ratio among visible elements matching `selector` (alpha blended on their background). */
function lowestContrast(page: Page, selector: string): Promise<{ ratio: number; sample: string }> {
  return page.evaluate((sel) => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number) as number[];
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const [r = 0, g = 0, b = 0, a = 1] = parse(getComputedStyle(e).backgroundColor);
        if (a > 0.5) return [r, g, b];
      }
      return document.documentElement.classList.contains("dark") ? [27, 27, 31] : [255, 255, 255];
    };
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const f = (channel: number) => {
        const v = channel / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let lowest = { ratio: 21, sample: "" };
    for (const el of document.querySelectorAll(sel)) {
      if ((el as HTMLElement).offsetParent === null) continue;
      const bg = background(el.parentElement);
      const [r = 0, g = 0, b = 0, a = 1] = parse(getComputedStyle(el).color);
      const fg = [
        r * a + (bg[0] ?? 0) * (1 - a),
        g * a + (bg[1] ?? 0) * (1 - a),
        b * a + (bg[2] ?? 0) * (1 - a),
      ];
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
      const ratio = ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
      if (ratio < lowest.ratio) lowest = { ratio, sample: el.outerHTML.slice(0, 80) };
    }
    return lowest;
  }, selector);
}

describe("contrast", () => {
  it.each([false, true])("text, badges and links meet WCAG AA (4.5:1), dark=%s", async (dark) => {
    const { page, close } = await open("/chat", { dark });
    for (const selector of [
      ".fx-method",
      ".vp-doc td small",
      ".vp-doc p",
      ".vp-doc a",
      ".VPSidebar a",
      ".fx-try summary",
    ]) {
      const { ratio, sample } = await lowestContrast(page, selector);
      expect(ratio, `${selector}: ${sample}`).toBeGreaterThanOrEqual(4.5);
    }
    await close();
  });
});

describe("small screens", () => {
  it.each(["/", "/quickstart", "/chat", "/conventions", "/reference"])(
    "%s has no page-wide horizontal scroll at 390 px (tables and code scroll on their own)",
    async (path) => {
      const { page, close } = await open(path, { width: 390 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await close();
    },
  );
});

describe("navigation", () => {
  it("the sidebar reaches every domain page", async () => {
    const { page, problems, close } = await open("/quickstart");
    for (const [tag, link] of Object.entries(TAG_PAGES)) {
      const entry = page.locator(`.VPSidebar a[href="${link}"]`);
      await entry.click();
      await page.waitForURL(`${site.origin}${link}`);
      const title = pageTitles()[link] ?? "";
      expect(title, tag).not.toBe("");
      await page.locator(".VPDoc h1", { hasText: title }).waitFor();
    }
    expect(problems.consoleErrors).toEqual([]);
    await close();
  });

  it("local search finds an endpoint and opens it", async () => {
    const { page, problems, close } = await open("/");
    await page.getByRole("button", { name: "Search" }).click();
    const box = page.getByRole("combobox").or(page.locator("#localsearch-input"));
    await box.first().fill("sendMessage");
    const hit = page.locator(".VPLocalSearchBox .result", { hasText: "Send a message" }).first();
    await hit.waitFor();
    expect(await hit.getAttribute("href")).toMatch(/\/chat#sendmessage$/i);
    await hit.click();
    await page.waitForURL(/\/chat#sendMessage$/i);
    expect(problems.consoleErrors).toEqual([]);
    await close();
  });

  it("dark mode toggles", async () => {
    const { page, close } = await open("/quickstart");
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await isDark()).toBe(false);
    const light = await background();
    const toggle = page.locator(".VPNavBar .VPSwitchAppearance:visible");
    await toggle.click();
    expect(await isDark()).toBe(true);
    expect(await background()).not.toBe(light);
    await toggle.click();
    expect(await isDark()).toBe(false);
    await close();
  });
});

describe("generated reference", () => {
  const operations = listOperations(spec);

  it.each(Object.entries(TAG_PAGES))(
    "the %s page lists every operation of its tag in the spec",
    async (tag, link) => {
      const expected = operations.filter((op) => op.tag === tag);
      expect(expected.length).toBeGreaterThan(0);
      const { page, close } = await open(link);
      for (const op of expected) {
        const heading = page.locator(`[id="${op.id}"]`);
        expect(await heading.count(), op.id).toBe(1);
        expect(await heading.textContent()).toContain(op.operation.summary ?? op.id);
        const endpoint = page
          .locator(".fx-endpoint", { hasText: op.path })
          .filter({ hasText: op.method });
        expect(await endpoint.count(), `${op.method} ${op.path}`).toBeGreaterThan(0);
      }
      await close();
    },
  );

  it("the reference page links every operation and documents every schema", async () => {
    const { page, close } = await open("/reference");
    for (const op of operations) {
      const page_ = TAG_PAGES[op.tag];
      const target = page_ ? `a[href="${page_}#${op.id}"]` : `[id="${op.id}"]`;
      expect(await page.locator(target).count(), op.id).toBeGreaterThan(0);
    }
    for (const name of Object.keys(spec.components?.schemas ?? {})) {
      expect(await page.locator(`[id="schema-${name.toLowerCase()}"]`).count(), name).toBe(1);
    }
    await close();
  });

  it("the error-code catalog lists every code of the spec's ErrorCode enum", async () => {
    const codes = (spec.components?.schemas?.ErrorCode?.enum ?? []).map(String);
    expect(codes.length).toBeGreaterThan(0);
    const { page, close } = await open("/conventions");
    const table = page.locator(".fx-error-catalog table");
    const shown = await table.locator("tbody tr td:first-child").allTextContents();
    expect(shown).toEqual(codes);
    await close();
  });
});

describe("try it", () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it("sends an authenticated request to a local reference server and shows the answer", async () => {
    server = await startServer({ FLUXRA_CORS_ORIGINS: site.origin });
    const agent = await createAgent(server.baseUrl, "tryit");
    const { page, problems, close } = await open("/agents#getMe");
    const panel = page.locator('[id="getMe"] ~ details.fx-try').first();
    await panel.locator("summary").click();
    await panel.getByLabel("Server URL").fill(server.baseUrl);
    await panel.getByLabel(/Bearer credential/).fill(agent.accessToken);
    await panel.getByRole("button", { name: "Send request" }).click();
    const result = panel.locator(".fx-try-result");
    await result.waitFor();
    expect(await result.textContent()).toContain("200");
    expect(await result.textContent()).toContain(`"handle": "${agent.handle}"`);
    expect(problems.consoleErrors).toEqual([]);
    // The only request that left the site is the one the reader asked for.
    expect(problems.externalRequests.every((url) => url.startsWith(`${server?.baseUrl}/`))).toBe(
      true,
    );
    expect(problems.externalRequests.length).toBeGreaterThan(0);
    await close();
  });
});

describe("screenshots for review", () => {
  it.each([
    ["home", "/"],
    ["quickstart", "/quickstart"],
    ["chat", "/chat"],
  ])("%s", async (name, path) => {
    for (const dark of [false, true]) {
      const { page, close } = await open(path, { dark });
      const file = resolve(screenshots, `${name}${dark ? "-dark" : ""}.png`);
      await page.screenshot({ path: file, fullPage: name !== "chat" });
      await close();
    }
  });

  it("an operation of the chat reference", async () => {
    const { page, close } = await open("/chat#sendMessage");
    await page.locator('[id="sendMessage"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: resolve(screenshots, "chat-send-message.png") });
    await close();
  });
});
