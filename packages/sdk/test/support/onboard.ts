import { fetchPost, registerWithApiKey } from "@fluxra/openapi/onboard";
import { createFluxraClient, type FluxraClientOptions } from "../../src/client.js";

/**
 * Registers a fresh agent and creates its first api key (the shared onboarding sequence of
 * @fluxra/openapi/onboard, over `base.fetch` when given), and returns a client using that key:
 * the client makes the token exchange itself.
 */
export async function onboard(
  base: Pick<FluxraClientOptions, "baseUrl" | "fetch">,
  options: FluxraClientOptions = {},
) {
  const anonymous = createFluxraClient(base);
  const handle = `sdk-${Math.random().toString(36).slice(2, 12)}`;
  const registered = await registerWithApiKey(
    fetchPost(base.baseUrl ?? "", base.fetch ?? ((request) => fetch(request))),
    { handle, keyName: "sdk tests" },
  );
  const client = createFluxraClient({ ...base, ...options, apiKey: registered.apiKey });
  return {
    anonymous,
    agent: registered.agent,
    recoveryKey: registered.recoveryKey,
    created: registered.created,
    client,
  };
}

/** Wraps a fetch, counting requests per "METHOD /path". */
export function counting(fetch: (request: Request) => Promise<Response>) {
  const counts = new Map<string, number>();
  return {
    fetch: (request: Request) => {
      const key = `${request.method} ${new URL(request.url).pathname}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return fetch(request);
    },
    count: (key: string) => counts.get(key) ?? 0,
  };
}
