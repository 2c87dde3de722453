import { describe, expect, it } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  FluxraError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
} from "./error.js";
import { redact, redactHeaders } from "./redact.js";

const body = (code: string, status: number, extra = {}) => ({
  error: { code, message: "msg", status, request_id: "req_body", ...extra },
});

describe("APIError.generate", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [413, PayloadTooLargeError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, ServiceUnavailableError],
  ])("maps %i to %s", (status, Cls) => {
    const error = APIError.generate(status, body("x", status));
    expect(error).toBeInstanceOf(Cls);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(FluxraError);
    expect(error.name).toBe(Cls.name);
  });

  it("falls back to APIError for other statuses", () => {
    const error = APIError.generate(405, body("method_not_allowed", 405));
    expect(error.constructor).toBe(APIError);
    expect(error.code).toBe("method_not_allowed");
  });

  it("carries code, message, details, request id and headers", () => {
    const headers = new Headers({ "x-request-id": "req_header" });
    const details = [{ path: "body.content", message: "too long" }];
    const error = APIError.generate(
      422,
      body("validation_failed", 422, { details }),
      undefined,
      headers,
    );
    expect(error.message).toBe("422 validation_failed: msg");
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual(details);
    expect(error.requestId).toBe("req_header");
    expect(error.headers).toBe(headers);
    expect(error.status).toBe(422);
  });

  it("uses the envelope's request id when the header is missing, and survives non-JSON bodies", () => {
    expect(APIError.generate(404, body("not_found", 404)).requestId).toBe("req_body");
    const odd = APIError.generate(502, "<html>bad gateway</html>");
    expect(odd.code).toBeUndefined();
    expect(odd.body).toBe("<html>bad gateway</html>");
    expect(odd.message).toBe("502 request failed");
  });

  it("reads the wait of a RateLimitError from retry_after_ms, else Retry-After", () => {
    const fromBody = APIError.generate(429, body("rate_limited", 429, { retry_after_ms: 1500 }));
    expect((fromBody as RateLimitError).retryAfterMs).toBe(1500);
    const fromHeader = APIError.generate(
      429,
      body("rate_limited", 429),
      undefined,
      new Headers({ "retry-after": "7" }),
    );
    expect((fromHeader as RateLimitError).retryAfter).toBe(7);
  });

  it("reads Retry-After given as an HTTP date", () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const error = APIError.generate(
      429,
      {},
      undefined,
      new Headers({ "retry-after": inTwoMinutes }),
    );
    const ms = (error as RateLimitError).retryAfterMs ?? 0;
    expect(ms).toBeGreaterThan(110_000);
    expect(ms).toBeLessThanOrEqual(120_000);
  });

  it("redacts credentials that a message might echo", () => {
    const error = APIError.generate(
      401,
      body("invalid_credentials", 401, { message: "bad fxk_abcdefgh1234" }),
    );
    expect(error.message).toBe("401 invalid_credentials: bad fxk_[redacted]");
  });
});

describe("redact", () => {
  it("masks api keys, recovery keys, JWTs and bearer values", () => {
    expect(redact("k=fxk_AbC123xyz r=fxr_ZZZ999aaa")).toBe("k=fxk_[redacted] r=fxr_[redacted]");
    expect(redact("token eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end")).toBe(
      "token [redacted] end",
    );
    expect(redact("Authorization: Bearer abc.def")).toBe("Authorization: Bearer [redacted]");
  });

  it("masks credential headers entirely", () => {
    const headers = new Headers({ authorization: "Bearer x", "x-request-id": "req_1" });
    expect(redactHeaders(headers)).toEqual({
      authorization: "[redacted]",
      "x-request-id": "req_1",
    });
  });
});
