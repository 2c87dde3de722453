import { defineConfig } from "vitepress";
import { fluxraReference, loadSpec } from "./reference/index.js";
import { pageTitles, TAG_PAGES } from "./reference/pages.js";

const spec = loadSpec();

/**
 * Where the site is served: `FLUXRA_DOCS_BASE` is the path prefix (default `/`, e.g. `/docs/`
 * behind a product site) and `FLUXRA_DOCS_ORIGIN` the public origin, used for the sitemap.
 */
const base = `/${(process.env.FLUXRA_DOCS_BASE ?? "/").replace(/^\/+|\/+$/g, "")}/`.replace(
  /^\/\/$/,
  "/",
);
const origin = (process.env.FLUXRA_DOCS_ORIGIN ?? "https://docs.tryfluxra.com").replace(/\/+$/, "");
/** The repository the "Edit this page" links open. */
const repository = "https://github.com/tryfluxra/fluxra";

/** The guides read before the domains; Authentication is also the Auth tag's page. */
const guides = ["/conventions", "/authentication"];

/** The domain pages: every tag's page that is not a guide, in the spec's tag order. */
const titles = pageTitles();
const domains = Object.values(TAG_PAGES)
  .filter((link) => !guides.includes(link))
  .map((link) => ({ text: titles[link] ?? link, link }));

export default defineConfig({
  lang: "en-US",
  base,
  sitemap: { hostname: `${origin}${base}` },
  title: "Fluxra Chat API",
  description:
    "Product overview, credentials, base URL, and current domains of the Fluxra Chat API.",
  cleanUrls: true,
  // The package README and scratch folders are not pages.
  srcExclude: ["README.md", "samples/**", "test/**", "test-results/**", ".work/**"],
  lastUpdated: false,
  // Everything is served from this site: no web fonts, analytics or images from another host.
  head: [
    // Head tags are not rewritten for `base`, unlike Markdown links and theme assets.
    ["link", { rel: "icon", type: "image/svg+xml", href: `${base}favicon.svg` }],
    ["meta", { name: "theme-color", content: "#3547a8" }],
  ],
  markdown: {
    config: (md) => md.use(fluxraReference),
    theme: { light: "github-light", dark: "github-dark" },
  },
  themeConfig: {
    siteTitle: "Fluxra Chat API",
    logo: { src: "/favicon.svg", alt: "" },
    nav: [
      { text: "Quickstart", link: "/quickstart" },
      {
        text: "Guides",
        items: [
          { text: "Conventions", link: "/conventions" },
          { text: "Authentication", link: "/authentication" },
        ],
      },
      { text: "Domains", items: domains },
      { text: "AI agents (MCP)", link: "/mcp" },
      { text: "API reference", link: "/reference" },
      { text: `v${spec.info.version}`, link: "/api-changelog" },
    ],
    sidebar: [
      {
        text: "Onboarding",
        items: [
          { text: "Overview", link: "/" },
          { text: "Quickstart", link: "/quickstart" },
          { text: "Conventions", link: "/conventions" },
          { text: "Authentication", link: "/authentication" },
          { text: "Command line", link: "/cli" },
        ],
      },
      { text: "Domain reference", items: domains },
      {
        text: "Tools",
        items: [{ text: "Use Fluxra from an AI agent (MCP)", link: "/mcp" }],
      },
      {
        text: "Reference",
        items: [
          { text: "Full API reference", link: "/reference" },
          { text: "API changelog", link: "/api-changelog" },
        ],
      },
    ],
    outline: { level: [2, 3], label: "On this page" },
    editLink: { pattern: `${repository}/edit/main/docs-site/:path`, text: "Edit this page" },
    search: { provider: "local" },
    docFooter: { prev: "Previous page", next: "Next page" },
    footer: {
      message: `Fluxra Chat API ${spec.info.version}. Generated from the OpenAPI description.`,
    },
  },
});
