import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { type ErrorCode, errorStatus } from "../generated/errors.js";

export { type ErrorCode, errorCodes } from "../generated/errors.js";

/** One entry of `error.details` for `validation_failed`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** Options for {@link ApiError}. */
export interface ApiErrorOptions {
  /** Overrides the code's usual status. */
  status?: number;
  /** Field-level problems (only for `validation_failed`). */
  details?: ErrorDetail[];
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  headers?: Record<string, string>;
  /** For 429: how long to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one error type every domain throws; `app.onError` turns it into the error envelope.
 *
 * @example
 * throw new ApiError("not_found", "No such agent.");
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = options.status ?? errorStatus[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Shorthand for a 422 `validation_failed` about one field. */
export function validationError(path: string, message: string): ApiError {
  return new ApiError("validation_failed", "The request is invalid.", {
    details: [{ path, message }],
  });
}

/** SQLite/PostgreSQL failures that mean "the database is unusable", not "the request is bad". */
function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (/^SQLITE_(READONLY|CANTOPEN|IOERR|FULL|BUSY|LOCKED|CORRUPT|NOTADB)/.test(code)) return true;
    if (code === "ECONNREFUSED" || code === "57P01" || code === "57P03") return true;
  }
  return err.name === "TypeError" && /database connection is not open/.test(err.message);
}

/** Maps anything thrown (our errors, Hono's, bugs) to an {@link ApiError}; never leaks internals. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413)
      return new ApiError("payload_too_large", "The request body is too large.");
    if (err.status === 400 || err.status === 415) {
      return new ApiError("invalid_json", "The request body is not valid JSON.");
    }
  }
  if (isDatabaseUnavailable(err)) {
    return new ApiError("service_unavailable", "The database is unavailable.", { cause: err });
  }
  return new ApiError("internal_error", "Something went wrong on our side.", { cause: err });
}

/** Renders an {@link ApiError} as the spec's error envelope. */
export function errorResponse(c: Context, err: ApiError): Response {
  const body = {
    error: {
      code: err.code,
      message: err.message,
      status: err.status,
      request_id: (c.get("requestId") as string | undefined) ?? "",
      ...(err.details ? { details: err.details } : {}),
      ...(err.retryAfterMs !== undefined ? { retry_after_ms: err.retryAfterMs } : {}),
    },
  };
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  if (err.status === 401 && !err.headers["WWW-Authenticate"]) {
    c.header(
      "WWW-Authenticate",
      err.code === "missing_credentials" ? "Bearer" : 'Bearer error="invalid_token"',
    );
  }
  return c.json(body, err.status as 400);
}
