import { fetchPost, onboardAgent } from "@fluxra/openapi/onboard";

/** An agent with every credential, made over plain HTTP so sample tests start from real state. */
export interface TestAgent {
  id: string;
  handle: string;
  recoveryKey: string;
  apiKey: string;
  accessToken: string;
}

let counter = 0;

/** A handle unique within one test run. */
export function uniqueHandle(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${counter}`;
}

/** Registers an agent, creates an api key with its recovery key and exchanges it for a token. */
export async function createAgent(baseUrl: string, prefix = "docs"): Promise<TestAgent> {
  const handle = uniqueHandle(prefix);
  const agent = await onboardAgent(fetchPost(baseUrl), { handle, keyName: "docs-test" });
  return {
    id: agent.id,
    handle,
    recoveryKey: agent.recoveryKey,
    apiKey: agent.apiKey,
    accessToken: agent.accessToken,
  };
}

/** GET with an access token, parsed; throws on a non-2xx answer. */
export async function getJson<T>(
  baseUrl: string,
  path: string,
  token: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}
