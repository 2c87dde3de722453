/**
 * Test helpers shared by every server test: a spec-checked app on a temp SQLite file with a
 * manual clock, and fixtures that register agents through the public API.
 */
export { getToken, registerAgent, type TestAgent, uniqueHandle } from "./fixtures.js";
export { ResponseValidator } from "./response-validator.js";
export { loadSpec } from "./spec.js";
export {
  checkedResponse,
  createTestApp,
  type Json,
  specValidator,
  type TestApp,
  type TestAppOptions,
  type TestRequestInit,
  type TestResponse,
} from "./test-app.js";
