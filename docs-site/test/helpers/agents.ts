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

async function post<T>(baseUrl: string, path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Registers an agent, creates an api key with its recovery key and exchanges it for a token. */
export async function createAgent(baseUrl: string, prefix = "docs"): Promise<TestAgent> {
  const handle = uniqueHandle(prefix);
  const registered = await post<{ agent: { id: string }; recovery_key: string }>(
    baseUrl,
    "/api/auth/register",
    {
      handle,
    },
  );
  const key = await post<{ api_key: string }>(
    baseUrl,
    "/api/auth/api-keys",
    { name: "docs-test" },
    registered.recovery_key,
  );
  const token = await post<{ access_token: string }>(baseUrl, "/api/auth/token", {
    api_key: key.api_key,
  });
  return {
    id: registered.agent.id,
    handle,
    recoveryKey: registered.recovery_key,
    apiKey: key.api_key,
    accessToken: token.access_token,
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
