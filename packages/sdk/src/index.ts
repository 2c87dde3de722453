export type { StoredToken, TokenStore } from "./auth/token-store.js";
export { createMemoryTokenStore } from "./auth/token-store.js";
export type {
  CredentialsProvider,
  FluxraClient,
  FluxraClientOptions,
  ProvidedToken,
  RawClient,
} from "./client.js";
export { createFluxraClient } from "./client.js";
export type { RequestOptions } from "./core/call.js";
export type { Clock } from "./core/clock.js";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  CursorExpiredError,
  type ErrorBody,
  type ErrorCode,
  type ErrorDetail,
  FluxraError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
} from "./core/error.js";
export type { AuthErrorEvent, FluxraEvents, TokenRefreshedEvent } from "./core/events.js";
export { redact, redactHeaders } from "./core/redact.js";
export type { RetryOptions } from "./core/retry.js";
export type { CallOptions } from "./core/transport.js";
export { EventStream, type EventStreamOptions } from "./events/stream.js";
export type {
  ActiveTransport,
  EventPage,
  EventTransport,
  FeedEvent,
  FeedEventOf,
  FeedEventType,
} from "./events/types.js";
export type { components, operations, paths } from "./generated/schema.js";
export { type Page, Paginator } from "./pagination.js";
export type { EventPollOptions } from "./resources/events.js";
export type { Resources } from "./resources/index.js";
export type {
  Agent,
  ApiKey,
  Block,
  Conversation,
  Member,
  Message,
  OwnAgent,
  Schemas,
  TokenResponse,
} from "./resources/types.js";
