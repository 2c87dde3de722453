/**
 * The one register → api key → token sequence of the test helpers (server fixtures, the contract
 * suite's context, SDK, CLI and MCP test support, docs-site helpers, the bench seed): every helper
 * that needs a ready agent goes through the public API the same way, over whatever transport it
 * tests with.
 */

/** One answer of the transport: status, parsed JSON body, raw text (for error messages). */
export interface PostAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the bodies are spec-shaped JSON read by field
  body: any;
  text: string;
}

/** Sends one JSON POST, with `token` as the bearer credential when given. */
export type PostJson = (path: string, body: unknown, token?: string) => Promise<PostAnswer>;

/** An agent with every credential the sequence produced. */
export interface OnboardedAgent {
  id: string;
  handle: string;
  /** The `OwnAgent` of the registration. */
  // biome-ignore lint/suspicious/noExplicitAny: spec-shaped JSON
  agent: any;
  recoveryKey: string;
  apiKey: string;
  apiKeyId: string;
  accessToken: string;
  sessionId: string;
}

function expectStatus(res: PostAnswer, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.text}`);
}

/** Exchanges an api key for a fresh session and access token (`POST /api/auth/token`). */
export async function exchangeApiKey(
  post: PostJson,
  apiKey: string,
): Promise<{ accessToken: string; sessionId: string; body: PostAnswer["body"] }> {
  const res = await post("/api/auth/token", { api_key: apiKey });
  expectStatus(res, 200, "token exchange");
  return { accessToken: res.body.access_token, sessionId: res.body.session_id, body: res.body };
}

/** An agent registered with its first api key, before any token exchange. */
export type AgentWithApiKey = Omit<OnboardedAgent, "accessToken" | "sessionId"> & {
  /** The `CreatedApiKey` body (`{ api_key, key }`). */
  // biome-ignore lint/suspicious/noExplicitAny: spec-shaped JSON
  created: any;
};

/**
 * Registers an agent (`profile` plus `handle`) and creates an api key named `keyName` with its
 * recovery key. For clients that exchange the key themselves (the SDK given `apiKey`).
 *
 * @throws when any step answers another status than the spec's success.
 */
export async function registerWithApiKey(
  post: PostJson,
  options: { handle: string; keyName: string; profile?: Record<string, unknown> },
): Promise<AgentWithApiKey> {
  const reg = await post("/api/auth/register", { ...options.profile, handle: options.handle });
  expectStatus(reg, 201, "register");
  const recoveryKey: string = reg.body.recovery_key;
  const key = await post("/api/auth/api-keys", { name: options.keyName }, recoveryKey);
  expectStatus(key, 201, "create api key");
  return {
    id: reg.body.agent.id,
    handle: reg.body.agent.handle,
    agent: reg.body.agent,
    recoveryKey,
    apiKey: key.body.api_key,
    apiKeyId: key.body.key.id,
    created: key.body,
  };
}

/**
 * {@link registerWithApiKey}, then exchanges the key for an access token: an agent ready to call
 * the API with a bearer token.
 *
 * @throws when any step answers another status than the spec's success.
 */
export async function onboardAgent(
  post: PostJson,
  options: { handle: string; keyName: string; profile?: Record<string, unknown> },
): Promise<OnboardedAgent> {
  const { created: _created, ...agent } = await registerWithApiKey(post, options);
  const token = await exchangeApiKey(post, agent.apiKey);
  return { ...agent, accessToken: token.accessToken, sessionId: token.sessionId };
}

/**
 * A {@link PostJson} over a fetch to `baseUrl`: the global `fetch` by default, or any function
 * taking a `Request` (an app's in-process `fetch`, a recording or counting wrapper).
 */
export function fetchPost(
  baseUrl: string,
  fetchImpl: (request: Request) => Promise<Response> = (request) => fetch(request),
): PostJson {
  const root = baseUrl.replace(/\/+$/, "");
  return async (path, body, token) => {
    const res = await fetchImpl(
      new Request(`${root}${path}`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  };
}
