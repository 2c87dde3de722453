import type { components } from "../generated/schema.js";
import { redact } from "./redact.js";

/** The spec's closed catalog of machine-readable error codes; branch on these, never on `message`. */
export type ErrorCode = components["schemas"]["ErrorCode"];
/** One validation failure (`details` of a `validation_failed` error). */
export type ErrorDetail = components["schemas"]["ErrorDetail"];
/** The `error` object of the spec's error envelope. */
export type ErrorBody = components["schemas"]["ErrorBody"];

/** Base class of every error the SDK throws. */
export class FluxraError extends Error {
  override name = "FluxraError";
}

/**
 * An error answer from the API, or a failure to get one (the connection subclasses, whose
 * `status` is `undefined`). Use `instanceof` on the subclasses or switch on `code`.
 */
export class APIError extends FluxraError {
  override name = "APIError";
  /** HTTP status, `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** The spec's error code, e.g. `"token_expired"`. */
  readonly code: ErrorCode | undefined;
  /** The `X-Request-Id` of the failed response: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** Response headers. */
  readonly headers: Headers | undefined;
  /** Per-field failures for `validation_failed`. */
  readonly details: ErrorDetail[] | undefined;
  /** The parsed response body (the error envelope, or text when it was not JSON). */
  readonly body: unknown;

  constructor(
    status: number | undefined,
    body: unknown,
    message: string | undefined,
    headers: Headers | undefined,
    options?: { cause?: unknown },
  ) {
    const err = errorBodyOf(body);
    super(redact(composeMessage(status, err, message)), options);
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.code = err?.code;
    this.details = err?.details;
    this.requestId = headers?.get("x-request-id") ?? err?.request_id ?? undefined;
  }

  /**
   * Builds the subclass matching `status` (one factory, so every path throws the same types).
   * @example throw APIError.generate(res.status, await res.json(), undefined, res.headers);
   */
  static generate(status: number, body: unknown, message?: string, headers?: Headers): APIError {
    const Cls = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Cls(status, body, message, headers);
  }
}

function errorBodyOf(body: unknown): Partial<ErrorBody> | undefined {
  const err = (body as { error?: unknown } | null | undefined)?.error;
  return err && typeof err === "object" ? (err as Partial<ErrorBody>) : undefined;
}

function composeMessage(
  status: number | undefined,
  err: Partial<ErrorBody> | undefined,
  message: string | undefined,
): string {
  const text = message ?? err?.message ?? (status ? "request failed" : "connection error");
  if (status === undefined) return text;
  return err?.code ? `${status} ${err.code}: ${text}` : `${status} ${text}`;
}

/** 400: the body was not parsable JSON (`invalid_json`). */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
/** 401: missing, invalid, expired or revoked credentials. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** 403: `forbidden`, `blocked`, `recovery_key_required`, `not_message_author`. */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
/** 404: the resource does not exist or the caller may not see it. */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
/** 409: `handle_taken`, `already_member`, `last_owner`, `message_deleted`, `idempotency_in_progress`. */
export class ConflictError extends APIError {
  override name = "ConflictError";
}
/** 413: the request body exceeds 64 KiB. */
export class PayloadTooLargeError extends APIError {
  override name = "PayloadTooLargeError";
}
/** 422: `validation_failed` (see `details`) or `idempotency_key_reused`. */
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
/** 429: rate limited; `retryAfterMs` says how long the server asked to wait. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
  /** Milliseconds the server asked to wait (`error.retry_after_ms`, else `Retry-After`). */
  get retryAfterMs(): number | undefined {
    return retryAfterMs(this.headers, this.body);
  }
  /** Seconds the server asked to wait, `retryAfterMs / 1000`. */
  get retryAfter(): number | undefined {
    const ms = this.retryAfterMs;
    return ms === undefined ? undefined : ms / 1000;
  }
}
/** 500 and any other 5xx without its own class. */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}
/** 503: the server (usually its database) is temporarily unavailable. */
export class ServiceUnavailableError extends InternalServerError {
  override name = "ServiceUnavailableError";
}

/**
 * 410 `cursor_expired`: the event cursor is older than the feed's retention window. Resynchronise
 * with the list endpoints, then start a new stream without a cursor.
 */
export class CursorExpiredError extends APIError {
  override name = "CursorExpiredError";
}

const STATUS_CLASSES: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  410: CursorExpiredError,
  413: PayloadTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
  503: ServiceUnavailableError,
};

/** No response arrived (DNS, refused connection, reset, offline). Retried automatically. */
export class APIConnectionError extends APIError {
  override name = "APIConnectionError";
  constructor(message = "Connection error.", cause?: unknown) {
    super(undefined, undefined, message, undefined, { cause });
  }
}
/** An attempt exceeded `timeout`, or the call exceeded its `deadline`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
  constructor(message = "Request timed out.") {
    super(message);
  }
}
/** The caller's `AbortSignal` fired. */
export class APIUserAbortError extends APIError {
  override name = "APIUserAbortError";
  constructor(message = "Request was aborted.") {
    super(undefined, undefined, message, undefined);
  }
}

/**
 * How long a 429/503 asked the client to wait: `error.retry_after_ms` first (exact), then the
 * `Retry-After` header (seconds or an HTTP date). `undefined` when neither is present.
 */
export function retryAfterMs(headers: Headers | undefined, body: unknown): number | undefined {
  const fromBody = errorBodyOf(body)?.retry_after_ms;
  if (typeof fromBody === "number" && fromBody >= 0) return fromBody;
  const header = headers?.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
