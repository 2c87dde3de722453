/**
 * Secret shapes the SDK handles: recovery keys, api keys (both prefixed, GitHub-style), and JWT
 * access tokens. Anything matching is masked before it can reach an error message or a log line,
 * so a pasted stack trace never leaks a credential.
 */
const SECRET = /\b(fx[kr]_)[0-9A-Za-z]{4,}|\beyJ[\w-]*\.[\w-]*\.[\w-]*|(Bearer\s+)\S+/g;

/**
 * Masks credentials in `text`: `fxk_…`/`fxr_…` keep their prefix, JWTs and bearer values become
 * `[redacted]`.
 *
 * @example
 * redact("Authorization: Bearer fxk_abc123…") // "Authorization: Bearer [redacted]"
 */
export function redact(text: string): string {
  return text.replace(SECRET, (_m, keyPrefix?: string, bearer?: string) =>
    keyPrefix ? `${keyPrefix}[redacted]` : `${bearer ?? ""}[redacted]`,
  );
}

/** Header names whose values are never copied into errors or logs. */
const SECRET_HEADERS = new Set(["authorization", "cookie", "set-cookie", "proxy-authorization"]);

/** A plain-object copy of `headers` with credential-bearing values replaced by `[redacted]`. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) ? "[redacted]" : redact(value);
  });
  return out;
}
