/** A request as the suite sent it (secrets redacted before it reaches a report). */
export interface RecordedRequest {
  method: string;
  url: string;
  /** Path without the base URL's path prefix and without the query string. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A response as the suite received it. */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One spec violation found in a response, filed under the rule it breaks. */
export interface Violation {
  /** The rule the violation counts against, e.g. `conventions.error-envelope` or `chat.spec.sendMessage`. */
  ruleId: string;
  message: string;
  /** Where in the spec the broken requirement lives (JSON pointer into the bundled spec). */
  specPointer: string;
}

/** One request/response pair, with the spec operation it matched and what it broke. */
export interface Exchange {
  seq: number;
  /** The check that was running when the request was made. */
  duringRule: string;
  operationId: string | null;
  request: RecordedRequest;
  response: RecordedResponse;
  violations: Violation[];
}

/** Parses a body as JSON, or returns undefined. */
export function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const secretPattern = /\b(fx[kr]_)[0-9A-Za-z]{38}\b|\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;

/** Hides credentials in report text: keeps a secret's prefix so a reader can still tell it apart. */
export function redact(text: string): string {
  return text.replace(secretPattern, (match, prefix: string | undefined) =>
    prefix ? `${match.slice(0, 12)}…[redacted]` : `${match.slice(0, 10)}…[redacted jwt]`,
  );
}

/** Headers as a plain object with lower-case names. */
export function headersObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}
