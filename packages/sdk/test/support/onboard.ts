import { createFluxraClient, type FluxraClientOptions } from "../../src/client.js";

/** Registers a fresh agent, creates its first api key, returns a client using that key. */
export async function onboard(
  base: Pick<FluxraClientOptions, "baseUrl" | "fetch">,
  options: FluxraClientOptions = {},
) {
  const anonymous = createFluxraClient(base);
  const handle = `sdk-${Math.random().toString(36).slice(2, 12)}`;
  const registered = await anonymous.auth.register({ handle });
  const created = await anonymous.auth.createApiKey(
    { name: "sdk tests" },
    { recoveryKey: registered.recovery_key },
  );
  const client = createFluxraClient({ ...base, ...options, apiKey: created.api_key });
  return {
    anonymous,
    agent: registered.agent,
    recoveryKey: registered.recovery_key,
    created,
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
