export type { GeneratedTool, InputLocation, ToolName } from "./generated/tools.js";
export { generatedTools } from "./generated/tools.js";
export { type HttpEndpoint, type HttpOptions, serveHttp } from "./http.js";
export type { ToolErrorBody } from "./result.js";
export { createFluxraMcpServer, type FluxraMcpOptions } from "./server.js";
export { VERSION } from "./version.js";
