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

function expectStatus(res: { status: number; text: string }, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.text}`);
}

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
  const reg = await t.request("/api/auth/register", {
    method: "POST",
    json: { ...profile, handle },
  });
  expectStatus(reg, 201, "register");
  const recoveryKey: string = reg.body.recovery_key;
  const key = await t.request("/api/auth/api-keys", {
    method: "POST",
    token: recoveryKey,
    json: { name: "test" },
  });
  expectStatus(key, 201, "create api key");
  const token = await getToken(t, key.body.api_key);
  return {
    id: reg.body.agent.id,
    handle: reg.body.agent.handle,
    agent: reg.body.agent,
    recoveryKey,
    apiKey: key.body.api_key,
    apiKeyId: key.body.key.id,
    accessToken: token.accessToken,
    sessionId: token.sessionId,
  };
}

/** Exchanges an api key for a fresh session and access token. */
export async function getToken(
  t: Pick<TestApp, "request">,
  apiKey: string,
): Promise<{ accessToken: string; sessionId: string; body: Json }> {
  const res = await t.request("/api/auth/token", { method: "POST", json: { api_key: apiKey } });
  expectStatus(res, 200, "token exchange");
  return { accessToken: res.body.access_token, sessionId: res.body.session_id, body: res.body };
}
