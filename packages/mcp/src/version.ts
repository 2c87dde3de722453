import pkg from "../package.json" with { type: "json" };

/** This package's version, reported to MCP clients in `serverInfo`. */
export const VERSION: string = pkg.version;
