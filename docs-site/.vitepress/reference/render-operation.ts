import { errorCodes, mediaExamples } from "./example.js";
import { renderSchema } from "./render-schema.js";
import { constraints, fieldView, flatten, typeLabel } from "./schema.js";
import { deref } from "./spec.js";
import { cell, code, jsonBlock, safeProse, table } from "./text.js";
import type { LocatedOperation, OpenApiDocument, ResponseObject } from "./types.js";

const STATUS_TEXT: Record<string, string> = {
  "200": "OK",
  "201": "Created",
  "204": "No Content",
  "400": "Bad Request",
  "401": "Unauthorized",
  "403": "Forbidden",
  "404": "Not Found",
  "405": "Method Not Allowed",
  "409": "Conflict",
  "413": "Payload Too Large",
  "422": "Unprocessable Content",
  "429": "Too Many Requests",
  "500": "Internal Server Error",
  "503": "Service Unavailable",
};

/** The anchor of a security scheme on the reference page. */
export function securityAnchor(name: string): string {
  return `security-${name.toLowerCase()}`;
}

/** "None", or the accepted credentials joined by "or", each linked to its scheme. */
export function authLabel(doc: OpenApiDocument, op: LocatedOperation): string {
  const requirements = op.operation.security ?? doc.security ?? [];
  const names = requirements.flatMap((r) => Object.keys(r));
  if (names.length === 0) return "none";
  return names.map((n) => `[${n}](/reference#${securityAnchor(n)})`).join(" or ");
}

/**
 * One operation as Markdown: heading (anchored by operationId), method and path, the spec's prose,
 * parameters, request body, responses with their error codes, examples, and a "try it" panel.
 */
export function renderOperation(doc: OpenApiDocument, op: LocatedOperation, level = 3): string {
  const { operation } = op;
  const hashes = "#".repeat(level);
  const out: string[] = [];
  out.push(`${hashes} ${safeProse(operation.summary ?? op.id)} {#${op.id}}`);
  out.push(
    `<p class="fx-endpoint"><span class="fx-method fx-method-${op.method.toLowerCase()}">${op.method}</span> <code>${op.path}</code></p>`,
  );
  if (operation.deprecated) out.push("::: warning Deprecated\nThis operation is deprecated.\n:::");
  if (operation.description) out.push(safeProse(operation.description.trim()));
  out.push(`**Operation ID:** ${code(op.id)} · **Auth:** ${authLabel(doc, op)}`);

  if (op.parameters.length > 0) {
    out.push("**Parameters**");
    out.push(
      table(
        ["Parameter", "Type", "Description"],
        op.parameters.map((p) => [
          `${code(p.name)}<br><small>${p.in}${p.required ? ", required" : ""}</small>`,
          p.schema ? fieldView(doc, p.schema).type : "string",
          p.description && p.schema
            ? [cell(p.description), ...constraints(flatten(doc, p.schema))].join(" ")
            : p.schema
              ? fieldView(doc, p.schema).description
              : cell(p.description),
        ]),
      ),
    );
  }

  if (op.sharedHeaders.length > 0) {
    // Explained once in Conventions, under a heading anchored by the header's lowercase name.
    const names = op.sharedHeaders.map(
      (p) =>
        `[${code(p.name)}](/conventions#${p.name.toLowerCase()})${p.required ? " (required)" : " (optional)"}`,
    );
    out.push(`**Headers:** ${names.join(", ")}`);
  }

  if (operation.requestBody) {
    const body = deref(doc, operation.requestBody);
    for (const [mediaType, media] of Object.entries(body.content ?? {})) {
      const label = media.schema ? ` ${typeLabel(doc, media.schema)}` : "";
      out.push(
        `**Request body** (${code(mediaType)}${body.required ? ", required" : ""}):${label}`,
      );
      if (body.description) out.push(safeProse(body.description));
      if (media.schema) out.push(renderSchema(doc, media.schema));
      for (const example of mediaExamples(doc, media)) {
        out.push(
          `::: details Example request${example.title ? `: ${cell(example.title)}` : ""}\n${jsonBlock(example.value)}\n:::`,
        );
      }
    }
  }

  const responses = Object.entries(operation.responses ?? {}).map(
    ([status, raw]) =>
      [status, deref(doc, raw), raw.$ref !== undefined] as [string, ResponseObject, boolean],
  );
  if (responses.length > 0) {
    out.push("**Responses**");
    out.push(
      table(
        ["Status", "Body", "Description"],
        responses.map(([status, response]) => {
          const media = response.content?.["application/json"];
          const codes = errorCodes(doc, media);
          return [
            `${status}<br><small>${STATUS_TEXT[status] ?? ""}</small>`,
            media?.schema ? typeLabel(doc, media.schema) : "—",
            [
              cell(response.description),
              codes.length ? `**Codes:** ${codes.map(code).join(", ")}` : "",
            ]
              .filter(Boolean)
              .join("<br>"),
          ];
        }),
      ),
    );
    // Shared error responses (a `$ref`) look the same everywhere: the envelope is shown once in
    // Conventions. Success bodies and errors particular to this operation are shown here.
    const shown = responses.filter(([status, , shared]) => status.startsWith("2") || !shared);
    const examples = shown.flatMap(([status, response]) =>
      Object.values(response.content ?? {}).flatMap((media) =>
        mediaExamples(doc, media).map(
          (e) => `**${status}${e.title ? ` · ${cell(e.title)}` : ""}**\n\n${jsonBlock(e.value)}`,
        ),
      ),
    );
    if (examples.length > 0)
      out.push(`::: details Example responses\n${examples.join("\n\n")}\n:::`);
  }
  out.push(`<TryIt operation-id="${op.id}" />`);
  return out.join("\n\n");
}
