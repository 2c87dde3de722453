import { defineLoader } from "vitepress";
import { loadSpec, specPath } from "../reference/index.js";

/** The facts the home page header shows, read from the bundled spec at build time. */
export interface SpecMeta {
  title: string;
  version: string;
  baseUrl: string;
}

declare const data: SpecMeta;

export { data };

export default defineLoader({
  watch: [specPath()],
  load(): SpecMeta {
    const doc = loadSpec();
    return {
      title: doc.info.title,
      version: doc.info.version,
      baseUrl: doc.servers?.[0]?.url ?? "",
    };
  },
});
