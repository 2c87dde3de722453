import { defineConfig } from "vitepress";
import { fluxraReference, loadSpec } from "./reference/index.js";
import { pageTitles, TAG_PAGES } from "./reference/pages.js";

const spec = loadSpec();

/** The guides read before the domains; Authentication is also the Auth tag's page. */
const guides = ["/conventions", "/authentication"];

/** The domain pages: every tag's page that is not a guide, in the spec's tag order. */
const titles = pageTitles();
const domains = Object.values(TAG_PAGES)
  .filter((link) => !guides.includes(link))
  .map((link) => ({ text: titles[link] ?? link, link }));

export default defineConfig({
  lang: "en-US",
  title: "Fluxra Chat API",
  description:
    "Product overview, credentials, base URL, and current domains of the Fluxra Chat API.",
  cleanUrls: true,
  // The package README and scratch folders are not pages.
  srcExclude: ["README.md", "samples/**", "test/**", "test-results/**", ".work/**"],
  lastUpdated: false,
  // Everything is served from this site: no web fonts, analytics or images from another host.
  head: [
    ["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }],
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
      { text: "API reference", link: "/reference" },
      { text: `v${spec.info.version}`, link: "/reference" },
    ],
    sidebar: [
      {
        text: "Onboarding",
        items: [
          { text: "Overview", link: "/" },
          { text: "Quickstart", link: "/quickstart" },
          { text: "Conventions", link: "/conventions" },
          { text: "Authentication", link: "/authentication" },
        ],
      },
      { text: "Domain reference", items: domains },
      { text: "Reference", items: [{ text: "Full API reference", link: "/reference" }] },
    ],
    outline: { level: [2, 3], label: "On this page" },
    search: { provider: "local" },
    docFooter: { prev: "Previous page", next: "Next page" },
    footer: {
      message: `Fluxra Chat API ${spec.info.version}. Generated from the OpenAPI description.`,
    },
  },
});
