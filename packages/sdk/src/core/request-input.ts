/**
 * What openapi-fetch builds in place of a `Request` (its `Request` option): the URL and init kept
 * as given. Constructing a real `Request` parses the URL, copies the headers and wraps a string
 * body in a stream that the transport would then have to read back; the transport instead sends
 * `fetch(url, init)` straight from this, re-using the serialised body for any retry.
 * Once middleware is registered (`client.use`) the client builds real `Request`s again, since
 * middleware may rely on the whole `Request` API.
 */
export class RequestInput {
  readonly url: string;
  readonly method: string;
  readonly init: RequestInit & { headers: Headers };

  constructor(url: string, init: RequestInit & { headers: Headers }) {
    this.url = url;
    this.init = init;
    this.method = (init.method ?? "GET").toUpperCase();
  }

  /** openapi-fetch reads `request.headers`; the same object the init carries. */
  get headers(): Headers {
    return this.init.headers;
  }

  get signal(): AbortSignal | undefined {
    return this.init.signal ?? undefined;
  }
}

/**
 * The `Request` constructor handed to openapi-fetch: a {@link RequestInput} normally, a real
 * `Request` once `useReal()` says middleware is present. `instanceof` accepts real `Request`s,
 * which is what openapi-fetch checks middleware results against.
 */
export function requestFactory(): { Request: typeof Request; useReal: () => void } {
  let real = false;
  function FluxraRequest(url: string, init: RequestInit & { headers: Headers }) {
    return real ? new globalThis.Request(url, init) : new RequestInput(url, init);
  }
  Object.defineProperty(FluxraRequest, Symbol.hasInstance, {
    value: (value: unknown) => value instanceof globalThis.Request,
  });
  return {
    Request: FluxraRequest as unknown as typeof Request,
    useReal: () => {
      real = true;
    },
  };
}
