import { generateKeyPairSync, randomBytes } from "node:crypto";
import { calculateJwkThumbprint, importJWK, type JWK } from "jose";
import type { PlatformStore } from "../store.js";

/** A public key as published in the JWKS. */
export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

/** Loaded key material; imported once, reused for every request. */
export interface LoadedKeys {
  kid: string;
  signingKey: CryptoKey;
  /** kid → public key; the only keys tokens may name (never fetched from a token's header). */
  verifyKeys: Map<string, CryptoKey>;
  jwks: { keys: PublicJwk[] };
  /** HMAC key for pagination cursors. */
  cursorSecret: Buffer;
  /** AES-256-GCM key sealing stored idempotent responses (they may carry secrets). */
  replayKey: Buffer;
}

/** Server secrets shared by every instance through the database, loaded lazily once. */
export interface KeyRing {
  /** Loads (creating on first start) the keys; memoized, retried after a failure. */
  ready(): Promise<LoadedKeys>;
  /** The keys once {@link KeyRing.ready} has resolved; throws before. */
  current(): LoadedKeys;
}

/**
 * Creates the key ring over `store`. The Ed25519 signing key is generated at first start and kept
 * in the database so every instance signs and verifies with the same key; `kid` is its RFC 7638
 * thumbprint.
 */
export function createKeyRing(store: PlatformStore, now: () => number): KeyRing {
  let loaded: LoadedKeys | undefined;
  let loading: Promise<LoadedKeys> | undefined;

  async function load(): Promise<LoadedKeys> {
    const { privateKey } = generateKeyPairSync("ed25519");
    const candidateJwk = privateKey.export({ format: "jwk" });
    const stored = await store.getOrCreateSecret(
      "jwt_signing_key",
      JSON.stringify(candidateJwk),
      now(),
    );
    const cursorSecret = await store.getOrCreateSecret(
      "cursor_hmac_key",
      randomBytes(32).toString("base64url"),
      now(),
    );
    const replayKey = await store.getOrCreateSecret(
      "replay_encryption_key",
      randomBytes(32).toString("base64url"),
      now(),
    );
    const jwk = JSON.parse(stored) as JWK & { x: string; d: string };
    const publicJwk: JWK = { kty: "OKP", crv: "Ed25519", x: jwk.x };
    const kid = await calculateJwkThumbprint(publicJwk, "sha256");
    const signingKey = (await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA")) as CryptoKey;
    const verifyKey = (await importJWK({ ...publicJwk, alg: "EdDSA" }, "EdDSA")) as CryptoKey;
    return {
      kid,
      signingKey,
      verifyKeys: new Map([[kid, verifyKey]]),
      jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: "EdDSA", use: "sig" }] },
      cursorSecret: Buffer.from(cursorSecret, "base64url"),
      replayKey: Buffer.from(replayKey, "base64url"),
    };
  }

  return {
    ready() {
      if (loaded) return Promise.resolve(loaded);
      loading ??= load().then(
        (keys) => {
          loaded = keys;
          return keys;
        },
        (err: unknown) => {
          loading = undefined; // the database may come back: try again next request
          throw err;
        },
      );
      return loading;
    },
    current() {
      if (!loaded) throw new Error("key ring not loaded yet: await keys.ready() first");
      return loaded;
    },
  };
}
