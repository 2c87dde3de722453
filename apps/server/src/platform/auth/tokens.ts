import { KeyObject, randomFillSync, sign } from "node:crypto";
import { errors, jwtVerify } from "jose";
import type { Clock } from "../clock.js";
import type { ServerConfig } from "../config.js";
import { ApiError } from "../errors.js";
import type { KeyRing } from "./keyring.js";

/** The claims of a verified access token that the server uses. */
export interface AccessClaims {
  agentId: string;
  sessionId: string;
  /** epoch ms */
  issuedAt: number;
  /** epoch ms */
  expiresAt: number;
}

/** Issues and verifies access tokens (EdDSA JWTs, RFC 9068 `at+jwt`). */
export interface TokenService {
  /** Signs a token for the session, expiring at `min(now + ttl, sessionExpiresAt)`. */
  issue(
    agentId: string,
    sessionId: string,
    sessionExpiresAt: number,
  ): Promise<{ token: string } & AccessClaims>;
  /** Verifies a token; throws `ApiError` `token_expired` or `invalid_credentials`. */
  verify(token: string): Promise<AccessClaims>;
}

const maxCacheEntries = 10_000;

/** Three unpadded base64url segments (RFC 7515 §2: no `=`, no other alphabet). */
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * True when every segment is the one canonical base64url spelling of its bytes: decoders ignore
 * the unused low bits of the last character (and often `=` padding), so without this one token
 * has many spellings that all verify, each a separate verified-token cache entry.
 */
export function isCanonicalJws(token: string): boolean {
  if (!compactJws.test(token)) return false;
  for (const segment of token.split(".")) {
    const unusedBits = [0, -1, 4, 2][segment.length % 4] as number;
    if (unusedBits < 0) return false;
    const last = alphabet.indexOf(segment[segment.length - 1] as string);
    if ((last & ((1 << unusedBits) - 1)) !== 0) return false;
  }
  return true;
}

/** The Ed25519 key as a node:crypto `KeyObject`, converted once per loaded key. */
const nodeKeys = new WeakMap<CryptoKey, KeyObject>();
function nodeKeyOf(key: CryptoKey): KeyObject {
  let found = nodeKeys.get(key);
  if (!found) {
    found = KeyObject.from(key);
    nodeKeys.set(key, found);
  }
  return found;
}

/** The encoded protected header (`{"alg":"EdDSA","typ":"at+jwt","kid":…}`) per key id. */
const headers = new Map<string, string>();
function headerOf(kid: string): string {
  let found = headers.get(kid);
  if (!found) {
    found = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "at+jwt", kid })).toString("base64url");
    headers.set(kid, found);
  }
  return found;
}

/**
 * A token id: 128 bits from the CSPRNG, base64url. The bytes are drawn 4 KiB at a time (as the
 * id generator does): one `randomBytes(16)` per token cost ~2.4 µs (~3 % of an exchange in the
 * bench profile); a slice of the pool costs ~0.1 µs.
 */
const jtiPool = Buffer.alloc(4096);
let jtiUsed = jtiPool.length;
function newJti(): string {
  if (jtiUsed + 16 > jtiPool.length) {
    randomFillSync(jtiPool);
    jtiUsed = 0;
  }
  const jti = jtiPool.toString("base64url", jtiUsed, jtiUsed + 16);
  jtiUsed += 16;
  return jti;
}

/**
 * Creates the token service. Verification pins algorithm, `typ`, issuer and audience, resolves
 * keys only from the local key ring, and caches verified tokens until they expire (an Ed25519
 * verify costs ~175 µs); the caller still checks the session is alive on every request.
 */
export function createTokenService(
  keys: KeyRing,
  clock: Clock,
  config: ServerConfig,
): TokenService {
  const cache = new Map<string, AccessClaims>();
  const leewayMs = config.clockLeewaySeconds * 1000;

  function checkFresh(claims: AccessClaims): AccessClaims {
    if (clock.now() >= claims.expiresAt + leewayMs) {
      throw new ApiError("token_expired", "The access token has expired.");
    }
    return claims;
  }

  return {
    async issue(agentId, sessionId, sessionExpiresAt) {
      const { kid, signingKey } = await keys.ready();
      const iat = Math.floor(clock.now() / 1000);
      const exp = Math.min(iat + config.tokenTtlSeconds, Math.floor(sessionExpiresAt / 1000));
      // The compact JWS jose's SignJWT writes (same header, same claims in the same order), signed
      // with node:crypto's one-shot Ed25519: synchronous, where WebCrypto's `subtle.sign` queues a
      // job on the thread pool and costs several times the signature itself per token.
      const claims = {
        sid: sessionId,
        iss: config.issuer,
        aud: config.audience,
        sub: agentId,
        jti: newJti(),
        iat,
        exp,
      };
      const input = `${headerOf(kid)}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
      const signature = sign(null, Buffer.from(input), nodeKeyOf(signingKey));
      const token = `${input}.${signature.toString("base64url")}`;
      return { token, agentId, sessionId, issuedAt: iat * 1000, expiresAt: exp * 1000 };
    },

    async verify(token) {
      // Only canonical tokens are ever cached (the check below runs before any entry is made),
      // so an exact hit needs no second look at the token's form (~2 µs per request).
      const cached = cache.get(token);
      if (cached) return checkFresh(cached);
      // Before caching, so a second spelling of a token never becomes an entry of its own.
      if (!isCanonicalJws(token)) {
        throw new ApiError("invalid_credentials", "The access token is not valid.");
      }
      const { verifyKeys } = await keys.ready();
      let claims: AccessClaims;
      try {
        const { payload } = await jwtVerify(
          token,
          (header) => {
            const key = header.kid === undefined ? undefined : verifyKeys.get(header.kid);
            if (!key) throw new errors.JWKSNoMatchingKey();
            return key;
          },
          {
            algorithms: ["EdDSA"],
            typ: "at+jwt",
            issuer: config.issuer,
            audience: config.audience,
            clockTolerance: config.clockLeewaySeconds,
            currentDate: new Date(clock.now()),
            requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
          },
        );
        const sid = (payload as { sid?: unknown }).sid;
        if (typeof sid !== "string" || typeof payload.sub !== "string") {
          throw new errors.JWTClaimValidationFailed("sid/sub must be strings", payload);
        }
        claims = {
          agentId: payload.sub,
          sessionId: sid,
          issuedAt: (payload.iat as number) * 1000,
          expiresAt: (payload.exp as number) * 1000,
        };
      } catch (err) {
        if (err instanceof errors.JWTExpired) {
          throw new ApiError("token_expired", "The access token has expired.");
        }
        throw new ApiError("invalid_credentials", "The access token is not valid.");
      }
      if (cache.size >= maxCacheEntries) cache.clear();
      cache.set(token, claims);
      return checkFresh(claims);
    },
  };
}
