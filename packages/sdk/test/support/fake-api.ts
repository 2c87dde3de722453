/** A recorded request as the fake API saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  idempotencyKey: string | null;
  body: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "x-request-id": "req_test", ...headers },
  });

/** The spec's error envelope. */
export const envelope = (
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  json(
    status,
    { error: { code, message: `${code} happened`, status, request_id: "req_test", ...extra } },
    headers,
  );

export const API_KEY = "fxk_0123456789abcdefghijklmnopqrstuvwxyzAB";

/**
 * A fake Fluxra API behind a `fetch`: token exchange and refresh hand out `tok1`, `tok2`, …; any
 * other route answers 200 with what it received when the bearer token is live, else 401.
 * `route` overrides a path with custom answers; `gate` holds a path's answers until released.
 */
export function fakeApi() {
  const seen: SeenRequest[] = [];
  const live = new Set<string>();
  const revoked = new Set<string>();
  const routes = new Map<string, (req: SeenRequest, n: number) => Response | Promise<Response>>();
  const gates = new Map<string, Promise<void>>();
  const signals: AbortSignal[] = [];
  let issued = 0;
  const issue = () => {
    const token = `tok${++issued}`;
    live.add(token);
    return json(200, {
      access_token: token,
      token_type: "Bearer",
      expires_in: 900,
      expires_at: new Date(Date.now() + 900_000).toISOString(),
      session_id: `ses_${issued}`,
    });
  };
  const fetch = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const seenReq: SeenRequest = {
      method: request.method,
      path,
      authorization: request.headers.get("authorization"),
      idempotencyKey: request.headers.get("idempotency-key"),
      body: await request.text(),
    };
    seen.push(seenReq);
    signals.push(request.signal);
    const gate = gates.get(path);
    if (gate) await gate;
    if (request.signal.aborted) throw request.signal.reason;
    const n = seen.filter((s) => s.path === path).length;
    const custom = routes.get(path);
    if (custom) return custom(seenReq, n);
    const token = seenReq.authorization?.replace(/^Bearer /, "") ?? "";
    if (path === "/api/auth/token") {
      return JSON.parse(seenReq.body).api_key === API_KEY
        ? issue()
        : envelope(401, "invalid_credentials");
    }
    if (revoked.has(token)) return envelope(401, "session_revoked");
    if (!live.has(token)) return envelope(401, "token_expired");
    if (path === "/api/auth/refresh") return issue();
    return json(200, { path, body: seenReq.body || null, token });
  };
  return {
    fetch,
    seen,
    live,
    revoked,
    signals,
    routes,
    /** Requests to `path` seen so far. */
    count: (path: string) => seen.filter((s) => s.path === path).length,
    /** Holds answers for `path` until the returned function is called. */
    gate(path: string): () => void {
      let release = () => {};
      gates.set(path, new Promise<void>((r) => (release = r)));
      return () => {
        gates.delete(path);
        release();
      };
    },
  };
}
