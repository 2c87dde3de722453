import { APIError, redact } from "@fluxra/sdk";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** The error a tool reports: the API's envelope fields (`code` from the spec's catalog). */
export interface ToolErrorBody {
  code: string;
  message: string;
  status?: number | undefined;
  request_id?: string | undefined;
  details?: { path: string; message: string }[] | undefined;
}

/**
 * A successful tool result: the API's JSON as text (what models read) and as `structuredContent`
 * (what programs read). A 204 answer becomes `{ "ok": true }` so the model sees that it worked.
 */
export function toolResult(data: unknown): CallToolResult {
  const value = data === undefined || data === null ? { ok: true } : data;
  return {
    content: [{ type: "text", text: JSON.stringify(value) }],
    ...(typeof value === "object" && !Array.isArray(value)
      ? { structuredContent: value as Record<string, unknown> }
      : {}),
  };
}

/** A tool error (`isError: true`) in the spec's error envelope, so models and programs can branch on `code`. */
export function toolError(error: ToolErrorBody): CallToolResult {
  const body: ToolErrorBody = { ...error, message: redact(error.message) };
  const where = [body.status, body.request_id].filter(Boolean).join(", ");
  return {
    isError: true,
    content: [{ type: "text", text: `${body.code}: ${body.message}${where ? ` (${where})` : ""}` }],
    structuredContent: { error: body },
  };
}

/**
 * Turns anything a tool threw into a tool error. API errors keep their `code`, `status`, request
 * id and validation details; anything else is reported without internals. Messages pass through
 * the SDK's redaction, so no credential reaches the model or its logs.
 */
export function errorResult(error: unknown): CallToolResult {
  if (error instanceof APIError) {
    const envelope = (error.body as { error?: { message?: unknown } } | undefined)?.error;
    const message = typeof envelope?.message === "string" ? envelope.message : error.message;
    return toolError({
      code: error.code ?? (error.status === undefined ? "connection_error" : "internal_error"),
      message,
      status: error.status,
      request_id: error.requestId,
      details: error.details,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return toolError({ code: "internal_error", message });
}
