import { apiVersion } from "../generated/spec.js";

/** One rate-limit rule: at most `limit` requests per `windowSeconds`. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/** The named buckets every route picks from. */
export type RateBucket = "register" | "token" | "write" | "read" | "public";

/** Server settings; every field has a safe default (see {@link defaultConfig}). */
export interface ServerConfig {
  /** `iss` of access tokens. */
  issuer: string;
  /** `aud` of access tokens. */
  audience: string;
  /** Access-token lifetime in seconds (15 minutes). */
  tokenTtlSeconds: number;
  /** Absolute session lifetime in seconds (30 days). */
  sessionTtlSeconds: number;
  /** Clock leeway when verifying tokens (never more than 30 s). */
  clockLeewaySeconds: number;
  /** Largest accepted request body in bytes (64 KiB). */
  bodyLimitBytes: number;
  /** How long idempotency keys are kept, in seconds (24 h). */
  idempotencyTtlSeconds: number;
  /** Rate limiting; `enabled: false` only for tests and benchmarks. */
  rateLimits: { enabled: boolean; rules: Record<RateBucket, RateRule> };
  /** Origins allowed by CORS; empty means CORS headers are not sent. `["*"]` allows any origin without credentials. */
  corsOrigins: string[];
  /**
   * Trust `X-Forwarded-For` for the client address (only behind one proxy you control): its last
   * entry, the address that proxy appended, is the client; earlier entries are client-chosen.
   */
  trustProxy: boolean;
  /**
   * The API version; defaults to the spec's `info.version` (generated/spec.ts), the version
   * `/health` reports.
   */
  version: string;
  /** The Events domain (preview): `enabled: false` leaves `/api/events` unmounted (404). */
  events: EventsConfig;
}

/** Settings of the event feed. */
export interface EventsConfig {
  enabled: boolean;
  /** Events are kept at least this long (24 h); older cursors answer 410 `cursor_expired`. */
  retentionSeconds: number;
  /** Longest an idle SSE stream goes without a keep-alive comment (15 s, the spec's bound). */
  keepAliveSeconds: number;
  /** How often the retention sweep runs, off the request path (10 minutes). */
  sweepIntervalSeconds: number;
  /**
   * The longest a long-poll is held, whatever `wait` asks (60, the spec's maximum); it then
   * answers `data: []` as when `wait` elapses. Lower it behind a proxy with a shorter timeout.
   */
  maxWaitSeconds: number;
}

/** Settings used when nothing is configured. */
export const defaultConfig: ServerConfig = {
  issuer: "https://chat.tryfluxra.com",
  audience: "fluxra-chat-api",
  tokenTtlSeconds: 15 * 60,
  sessionTtlSeconds: 30 * 24 * 60 * 60,
  clockLeewaySeconds: 30,
  bodyLimitBytes: 64 * 1024,
  idempotencyTtlSeconds: 24 * 60 * 60,
  rateLimits: {
    enabled: true,
    rules: {
      register: { limit: 20, windowSeconds: 3600 },
      token: { limit: 30, windowSeconds: 60 },
      write: { limit: 120, windowSeconds: 60 },
      read: { limit: 600, windowSeconds: 60 },
      public: { limit: 600, windowSeconds: 60 },
    },
  },
  corsOrigins: [],
  trustProxy: false,
  version: apiVersion,
  events: {
    enabled: true,
    retentionSeconds: 24 * 60 * 60,
    keepAliveSeconds: 15,
    sweepIntervalSeconds: 10 * 60,
    maxWaitSeconds: 60,
  },
};

/** A partial config; nested `rateLimits.rules` may name only some buckets. */
export type ConfigInput = Partial<Omit<ServerConfig, "rateLimits" | "events">> & {
  rateLimits?: { enabled?: boolean; rules?: Partial<Record<RateBucket, RateRule>> };
  events?: Partial<EventsConfig>;
};

/** Fills in defaults and clamps values that would make the server unsafe. */
export function resolveConfig(input: ConfigInput = {}): ServerConfig {
  const config: ServerConfig = {
    ...defaultConfig,
    ...input,
    rateLimits: {
      enabled: input.rateLimits?.enabled ?? defaultConfig.rateLimits.enabled,
      rules: { ...defaultConfig.rateLimits.rules, ...input.rateLimits?.rules },
    },
    events: { ...defaultConfig.events, ...input.events },
  };
  config.clockLeewaySeconds = Math.min(Math.max(config.clockLeewaySeconds, 0), 30);
  if (!(config.tokenTtlSeconds > 0)) throw new Error("tokenTtlSeconds must be positive");
  config.tokenTtlSeconds = Math.min(config.tokenTtlSeconds, config.sessionTtlSeconds);
  return config;
}

/** The environment variables the server reads. */
export interface ServerEnv {
  FLUXRA_RATE_LIMITS?: string | undefined;
  FLUXRA_TOKEN_TTL?: string | undefined;
  FLUXRA_ISSUER?: string | undefined;
  FLUXRA_CORS_ORIGINS?: string | undefined;
  FLUXRA_TRUST_PROXY?: string | undefined;
  FLUXRA_EVENTS?: string | undefined;
  FLUXRA_EVENTS_RETENTION?: string | undefined;
}

/**
 * Reads config overrides from environment variables (`FLUXRA_RATE_LIMITS=off`,
 * `FLUXRA_TOKEN_TTL`, `FLUXRA_ISSUER`, `FLUXRA_CORS_ORIGINS` comma-separated, `FLUXRA_TRUST_PROXY=1`).
 */
export function configFromEnv(env: ServerEnv): ConfigInput {
  const input: ConfigInput = {};
  const rate = env.FLUXRA_RATE_LIMITS?.toLowerCase();
  if (rate === "off" || rate === "false" || rate === "0") input.rateLimits = { enabled: false };
  const ttl = env.FLUXRA_TOKEN_TTL;
  if (ttl) input.tokenTtlSeconds = parsePositiveInt(ttl, "FLUXRA_TOKEN_TTL");
  if (env.FLUXRA_ISSUER) input.issuer = env.FLUXRA_ISSUER;
  if (env.FLUXRA_CORS_ORIGINS) {
    input.corsOrigins = env.FLUXRA_CORS_ORIGINS.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (env.FLUXRA_TRUST_PROXY === "1" || env.FLUXRA_TRUST_PROXY === "true") {
    input.trustProxy = true;
  }
  const events = env.FLUXRA_EVENTS?.toLowerCase();
  if (events === "off" || events === "false" || events === "0") input.events = { enabled: false };
  const retention = env.FLUXRA_EVENTS_RETENTION;
  if (retention) {
    input.events = {
      ...input.events,
      retentionSeconds: parsePositiveInt(retention, "FLUXRA_EVENTS_RETENTION"),
    };
  }
  return input;
}

/** Parses a positive integer or throws a readable error naming the setting. */
export function parsePositiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}
