import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";

const b64 = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** A decoded JWT (no verification). */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/**
 * Splits and decodes a compact JWT.
 * @throws {Error} when it is not three base64url JSON parts.
 */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("not a compact JWT");
  const [h, p, s] = parts as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, "base64url"),
  };
}

/** Signs `header.payload` with an Ed25519 key (a foreign key: the server must refuse it). */
export function signEd25519(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key?: KeyObject,
): string {
  const privateKey = key ?? generateKeyPairSync("ed25519").privateKey;
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${b64(sign(null, Buffer.from(input), privateKey))}`;
}

/** An unsigned token (`alg: none`). */
export function unsigned(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  return `${b64(JSON.stringify({ ...header, alg: "none" }))}.${b64(JSON.stringify(payload))}.`;
}

/** Whether `token` verifies under the Ed25519 JWK `jwk` (offline verification with the JWKS). */
export function verifiesWith(token: string, jwk: Record<string, unknown>): boolean {
  const { signingInput, signature } = decodeJwt(token);
  const key = createPublicKey({ key: jwk as never, format: "jwk" });
  return verify(null, Buffer.from(signingInput), key, signature);
}
