import type { Handler } from "./serve.js";

/** Rewrites a JSON response body (keeping status and headers, fixing Content-Length). */
async function rewrite(
  response: Response,
  edit: (body: Record<string, unknown>) => unknown,
): Promise<Response> {
  const text = await response.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(edit(body)), { status: response.status, headers });
}

/** Fault: error envelopes lose `error.request_id`. */
export const stripRequestId =
  (inner: Handler): Handler =>
  async (request, env) => {
    const response = await inner(request, env);
    if (response.status < 400 || !response.headers.get("content-type")?.includes("json"))
      return response;
    return rewrite(response, (body) => {
      const { request_id: _dropped, ...error } = body["error"] as Record<string, unknown>;
      return { ...body, error };
    });
  };

/** Fault: message list pages in the default (newest-first) order drop their newest message. */
export const dropNewestMessage =
  (inner: Handler): Handler =>
  async (request, env) => {
    const response = await inner(request, env);
    const url = new URL(request.url);
    const isList =
      request.method === "GET" && /^\/api\/conversations\/[^/]+\/messages$/.test(url.pathname);
    if (!isList || response.status !== 200 || url.searchParams.has("after")) return response;
    return rewrite(response, (body) => ({ ...body, data: (body["data"] as unknown[]).slice(1) }));
  };

/** Fault: adding a member answers 200 instead of 201. */
export const addMemberAnswers200 =
  (inner: Handler): Handler =>
  async (request, env) => {
    const response = await inner(request, env);
    const isAdd =
      request.method === "POST" &&
      /^\/api\/conversations\/[^/]+\/members$/.test(new URL(request.url).pathname);
    if (!isAdd || response.status !== 201) return response;
    return new Response(response.body, { status: 200, headers: response.headers });
  };

/** Fault: responses lose their `RateLimit-*` headers. */
export const dropRateLimitHeaders =
  (inner: Handler): Handler =>
  async (request, env) => {
    const response = await inner(request, env);
    const headers = new Headers(response.headers);
    for (const name of ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"])
      headers.delete(name);
    return new Response(response.body, { status: response.status, headers });
  };

/** Fault: long-poll pages of the event feed deliver their first event twice. */
export const repeatFirstEvent =
  (inner: Handler): Handler =>
  async (request, env) => {
    const response = await inner(request, env);
    const isFeed =
      request.method === "GET" &&
      new URL(request.url).pathname === "/api/events" &&
      !(request.headers.get("accept") ?? "").includes("text/event-stream");
    if (!isFeed || response.status !== 200) return response;
    return rewrite(response, (body) => {
      const data = body["data"] as unknown[];
      return { ...body, data: data.length > 0 ? [data[0], ...data] : data };
    });
  };
