import { type Exchange, headersObject } from "./exchange.js";
import type { SpecValidator } from "./validator.js";

/** A `fetch` that takes a `Request`, as `@fluxra/sdk` calls it. */
export type FetchLike = (request: Request) => Promise<Response>;

/**
 * Keeps every exchange of a run, validated against the spec as it happens, and knows which check
 * is running so a report can say where a response was seen.
 */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  /** The exchange behind each response handed out, so a caller can find its own under concurrency. */
  private readonly byResponse = new WeakMap<Response, Exchange>();
  currentRule = "setup";
  private readonly basePath: string;

  constructor(
    readonly baseUrl: string,
    readonly validator: SpecValidator,
  ) {
    this.basePath = new URL(baseUrl).pathname.replace(/\/$/, "");
  }

  /**
   * Wraps `inner` so that every response is validated and recorded. The body is read from a clone,
   * so callers (the SDK included) still get an unread response.
   */
  validatingFetch(inner: FetchLike): FetchLike {
    return async (request) => (await this.send(inner, request)).response;
  }

  /** Sends `request` through `inner`, then validates and records the exchange. */
  async send(
    inner: FetchLike,
    request: Request,
  ): Promise<{ response: Response; exchange: Exchange }> {
    const requestBody = request.body ? await request.clone().text() : "";
    const response = await inner(request);
    const responseBody = await response.clone().text();
    const exchange = this.record(request, requestBody, response, responseBody);
    this.byResponse.set(response, exchange);
    return { response, exchange };
  }

  /** The recorded exchange that produced `response`, if this recorder saw it. */
  exchangeOf(response: Response): Exchange | undefined {
    return this.byResponse.get(response);
  }

  /** Records one exchange and returns it. */
  record(
    request: Request,
    requestBody: string,
    response: Response,
    responseBody: string,
  ): Exchange {
    const url = new URL(request.url);
    const path = url.pathname.slice(this.basePath.length) || "/";
    const req = {
      method: request.method,
      url: request.url,
      path,
      headers: headersObject(request.headers),
      body: requestBody,
    };
    const res = {
      status: response.status,
      headers: headersObject(response.headers),
      body: responseBody,
    };
    const exchange: Exchange = {
      seq: this.exchanges.length + 1,
      duringRule: this.currentRule,
      operationId: this.validator.findOperation(req.method, path)?.operationId ?? null,
      request: req,
      response: res,
      violations: this.validator.check(req, res),
    };
    this.exchanges.push(exchange);
    return exchange;
  }
}
