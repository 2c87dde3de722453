import { parsePositiveInt } from "../../platform/config.js";

/** Connections per instance: `FLUXRA_PG_POOL_SIZE` (default 10). Keep instances × size under max_connections. */
export function pgPoolSize(text: string | undefined): number {
  return text ? parsePositiveInt(text, "FLUXRA_PG_POOL_SIZE") : 10;
}

/**
 * The send batcher's group-commit wait in µs: `FLUXRA_PG_SEND_WAIT_US` (0 disables it; unset: the
 * batcher's default, chat/postgres/send-batch.ts).
 */
export function pgSendWait(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  return text === "0" ? 0 : parsePositiveInt(text, "FLUXRA_PG_SEND_WAIT_US");
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}
