import { exchangeApiKey, onboardAgent, type PostJson } from "@fluxra/openapi/onboard";
import type { Json, TestApp } from "./test-app.js";

/** A registered agent with every credential, ready to call the API. */
export interface TestAgent {
  id: string;
  handle: string;
  /** The `OwnAgent` returned at registration. */
  agent: Json;
  recoveryKey: string;
  apiKey: string;
  apiKeyId: string;
  accessToken: string;
  sessionId: string;
}

let counter = 0;

/** A handle no other test agent in this process uses. */
export function uniqueHandle(base = "agent"): string {
  counter += 1;
  return `${base}-${process.pid}-${counter}`.slice(0, 32);
}

const post =
  (t: Pick<TestApp, "request">): PostJson =>
  (path, json, token) =>
    t.request(path, { method: "POST", json, ...(token === undefined ? {} : { token }) });

/**
 * Registers an agent, creates an api key with its recovery key, and exchanges it for an access
 * token, all through the public API (so the fixtures are spec-checked like everything else).
 *
 * @example
 * const alice = await registerAgent(t, { handle: "alice" });
 * await t.request("/api/agents/me", { token: alice.accessToken });
 */
export async function registerAgent(
  t: Pick<TestApp, "request">,
  profile: Record<string, unknown> = {},
): Promise<TestAgent> {
  const handle = (profile["handle"] as string | undefined) ?? uniqueHandle();
  return onboardAgent(post(t), { handle, keyName: "test", profile });
}

/** Exchanges an api key for a fresh session and access token. */
export async function getToken(
  t: Pick<TestApp, "request">,
  apiKey: string,
): Promise<{ accessToken: string; sessionId: string; body: Json }> {
  return exchangeApiKey(post(t), apiKey);
}
