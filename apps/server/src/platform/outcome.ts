import { ApiError } from "./errors.js";

/**
 * Why a store operation refused. The store decides inside its write transaction, so the
 * answer cannot go stale between check and write; the handler maps each reason to a status.
 * `invalid` carries the request path it blames (e.g. `body.agent_id`).
 */
export type Refusal =
  | { code: "not_found" }
  | { code: "invalid"; path: string; message: string; more?: { path: string; message: string }[] }
  | { code: "blocked" }
  | { code: "forbidden" }
  | { code: "already_member" }
  | { code: "not_a_member" }
  | { code: "last_owner" }
  | { code: "not_message_author" }
  | { code: "message_deleted" };

/** Either a value or a refusal. */
export type Outcome<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

const messages: Record<Exclude<Refusal["code"], "invalid">, string> = {
  not_found: "Not found.",
  blocked: "A block forbids this.",
  forbidden: "Your role in this conversation does not allow this.",
  already_member: "The agent is already a member.",
  not_a_member: "The agent is not a member of this conversation.",
  last_owner:
    "The sole owner cannot do this while other members remain; make someone else owner first.",
  not_message_author: "Only the message's author may do this.",
  message_deleted: "The message was deleted.",
};

/** The API error for a store refusal. `blocked` never says which side blocked. */
export function refusalError(refusal: Refusal): ApiError {
  if (refusal.code === "invalid") {
    const details = [{ path: refusal.path, message: refusal.message }, ...(refusal.more ?? [])];
    return new ApiError("validation_failed", "The request is invalid.", { details });
  }
  return new ApiError(refusal.code, messages[refusal.code]);
}

/**
 * The value of a store outcome, or throws the matching API error.
 *
 * @throws {ApiError} when the store refused.
 */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw refusalError(outcome);
}
