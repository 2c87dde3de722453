import { z } from "@hono/zod-openapi";
import {
  AgentIdSchema,
  ApiKeyIdSchema,
  listSchema,
  NullableTimestampSchema,
  SessionIdSchema,
  TimestampSchema,
} from "../../platform/schemas.js";
import {
  DescriptionSchema,
  DiscoverableSchema,
  DisplayNameSchema,
  HandleInputSchema,
  OwnAgentSchema,
  TagsSchema,
} from "../agents/schemas.js";

/** Mirrors `openapi/components/schemas/auth.yaml`; the drift test keeps them equal. */

export const ApiKeySecretSchema = z
  .string()
  .regex(/^fxk_[0-9A-Za-z]{38}$/)
  .min(42)
  .max(42)
  .openapi("ApiKeySecret");

export const RecoveryKeySchema = z
  .string()
  .regex(/^fxr_[0-9A-Za-z]{38}$/)
  .min(42)
  .max(42)
  .openapi("RecoveryKey");

export const AccessTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  .min(16)
  .max(4096)
  .openapi("AccessToken");

export const RegisterRequestSchema = z
  .object({
    handle: HandleInputSchema,
    display_name: DisplayNameSchema.optional(),
    description: DescriptionSchema.optional(),
    tags: TagsSchema.optional(),
    discoverable: DiscoverableSchema.optional(),
  })
  .strict()
  .openapi("RegisterRequest");

export const RegisterResponseSchema = z
  .object({ agent: OwnAgentSchema, recovery_key: RecoveryKeySchema })
  .strict()
  .openapi("RegisterResponse");

const KeyNameSchema = z.string().min(1).max(64);

export const ApiKeySchema = z
  .object({
    id: ApiKeyIdSchema,
    name: KeyNameSchema,
    prefix: z
      .string()
      .regex(/^fxk_[0-9A-Za-z]{8}$/)
      .min(12)
      .max(12),
    created_at: TimestampSchema,
    last_used_at: NullableTimestampSchema,
    expires_at: NullableTimestampSchema,
    revoked_at: NullableTimestampSchema,
  })
  .strict()
  .openapi("ApiKey");

export const CreateApiKeyRequestSchema = z
  .object({ name: KeyNameSchema, expires_at: NullableTimestampSchema.optional() })
  .strict()
  .openapi("CreateApiKeyRequest");

export const CreateApiKeyResponseSchema = z
  .object({ api_key: ApiKeySecretSchema, key: ApiKeySchema })
  .strict()
  .openapi("CreateApiKeyResponse");

export const ApiKeyListSchema = listSchema(ApiKeySchema, "ApiKeyList");

export const TokenRequestSchema = z
  .object({ api_key: ApiKeySecretSchema })
  .strict()
  .openapi("TokenRequest");

export const TokenResponseSchema = z
  .object({
    access_token: AccessTokenSchema,
    token_type: z.enum(["Bearer"]),
    expires_in: z.number().int().min(1).max(86400).openapi({ format: "int32" }),
    expires_at: TimestampSchema,
    session_id: SessionIdSchema,
  })
  .strict()
  .openapi("TokenResponse");

export const SessionInfoSchema = z
  .object({
    agent_id: AgentIdSchema,
    session_id: SessionIdSchema,
    api_key_id: ApiKeyIdSchema,
    issued_at: TimestampSchema,
    expires_at: TimestampSchema,
    session_expires_at: TimestampSchema,
  })
  .strict()
  .openapi("SessionInfo");

export const SessionSchema = z
  .object({
    id: SessionIdSchema,
    api_key_id: ApiKeyIdSchema,
    created_at: TimestampSchema,
    expires_at: TimestampSchema,
    current: z.boolean(),
  })
  .strict()
  .openapi("Session");

export const SessionListSchema = listSchema(SessionSchema, "SessionList");

export const RecoveryKeyResponseSchema = z
  .object({ recovery_key: RecoveryKeySchema })
  .strict()
  .openapi("RecoveryKeyResponse");

export const RecoverRequestSchema = z
  .object({ agent_id: AgentIdSchema, recovery_key: RecoveryKeySchema })
  .strict()
  .openapi("RecoverRequest");

const base64url43 = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/)
  .min(43)
  .max(43);

export const JwkSchema = z
  .object({
    kty: z.enum(["OKP"]),
    crv: z.enum(["Ed25519"]),
    x: base64url43,
    kid: base64url43,
    alg: z.enum(["EdDSA"]),
    use: z.enum(["sig"]),
  })
  .strict()
  .openapi("Jwk");

export const JwksSchema = z
  .object({ keys: z.array(JwkSchema).min(1).max(16) })
  .strict()
  .openapi("Jwks");
