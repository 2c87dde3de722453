import type { AuthHandlers } from "../../generated/routes.js";
import { callerOf } from "../../platform/auth/middleware.js";
import {
  generateSecret,
  hashesEqual,
  isWellFormedSecret,
  sha256Hex,
} from "../../platform/auth/secrets.js";
import type { AppDeps } from "../../platform/env.js";
import { ApiError, validationError } from "../../platform/errors.js";
import { toPage } from "../../platform/pagination.js";

const invalidSecret = () => new ApiError("invalid_credentials", "The credential is not valid.");
const registeredAlready = () =>
  new ApiError(
    "handle_taken",
    "A registration with this Idempotency-Key already succeeded; its recovery key was shown only in that response.",
  );
const recoveredAlready = () =>
  new ApiError(
    "invalid_credentials",
    "A recovery with this Idempotency-Key already succeeded and replaced this recovery key; the new one was shown only in that response.",
  );

/** Registration, api keys and the recovery key: the routes that mint long-lived secrets. */
export function credentialHandlers(deps: AppDeps) {
  const { store, clock, ids, guard, cursors } = deps;

  // Registration and recovery are anonymous, so a replay could reach anyone at the same client
  // address who knows the request: their recovery key is never replayed (spec, Idempotency-Key).
  const register = guard.anonymous("register", { refuseReplay: registeredAlready });

  const recover = guard.anonymous("token", { refuseReplay: recoveredAlready });
  return {
    registerAgent: {
      middleware: register,
      handler: async (c) => {
        const body = c.req.valid("json");
        const now = clock.now();
        const handle = body.handle.toLowerCase();
        const recoveryKey = generateSecret("fxr");
        const agent = await store.auth.createAgent(
          {
            id: ids.next("agt"),
            handle,
            display_name: body.display_name ?? handle,
            description: body.description ?? "",
            tags: body.tags ?? [],
            discoverable: body.discoverable ?? true,
          },
          sha256Hex(recoveryKey),
          now,
        );
        c.header("Cache-Control", "no-store");
        return c.json({ agent, recovery_key: recoveryKey }, 201);
      },
    },
    createApiKey: {
      middleware: guard.agent("access-or-recovery", "write", { bindToCredential: true }),
      handler: async (c) => {
        const body = c.req.valid("json");
        const now = clock.now();
        const expiresAt = body.expires_at == null ? null : Date.parse(body.expires_at);
        if (expiresAt !== null && !(expiresAt > now)) {
          throw validationError("body.expires_at", "Must be in the future.");
        }
        const secret = generateSecret("fxk");
        const key = await store.auth.createApiKey(
          {
            id: ids.next("key"),
            agentId: callerOf(c).agentId,
            name: body.name,
            prefix: secret.slice(0, 12),
            secretHash: sha256Hex(secret),
            expiresAt,
          },
          now,
        );
        c.header("Cache-Control", "no-store");
        return c.json({ api_key: secret, key }, 201);
      },
    },
    listApiKeys: {
      middleware: guard.agent("access", "read"),
      handler: async (c) => {
        const { limit, cursor } = c.req.valid("query");
        const after = cursor === undefined ? undefined : cursors.decode("api-keys", cursor);
        const rows = await store.auth.listApiKeys(callerOf(c).agentId, limit + 1, after);
        return c.json(
          toPage(rows, limit, (last) => cursors.encode("api-keys", last.id)),
          200,
        );
      },
    },
    revokeApiKey: {
      middleware: guard.agent("access", "write"),
      handler: async (c) => {
        const { key_id } = c.req.valid("param");
        const found = await store.auth.revokeApiKey(callerOf(c).agentId, key_id, clock.now());
        if (!found) throw new ApiError("not_found", "No such api key.");
        return c.body(null, 204);
      },
    },
    rotateRecoveryKey: {
      middleware: guard.agent("recovery", "write", { bindToCredential: true }),
      handler: async (c) => {
        const caller = callerOf(c);
        const recoveryKey = generateSecret("fxr");
        const rotated = await store.auth.rotateRecoveryKey(
          caller.agentId,
          caller.recoveryKeyHash as string,
          sha256Hex(recoveryKey),
          clock.now(),
        );
        // Another request rotated it first: the key this request presented no longer works.
        if (!rotated) throw invalidSecret();
        c.header("Cache-Control", "no-store");
        return c.json({ recovery_key: recoveryKey }, 200);
      },
    },
    recoverAccount: {
      middleware: recover,
      handler: async (c) => {
        const body = c.req.valid("json");
        if (!isWellFormedSecret(body.recovery_key, "fxr")) throw invalidSecret();
        const hash = sha256Hex(body.recovery_key);
        const found = await store.auth.findAgentByRecoveryKey(hash);
        if (!found || found.agentId !== body.agent_id || !hashesEqual(found.hash, hash)) {
          throw invalidSecret();
        }
        const recoveryKey = generateSecret("fxr");
        const ok = await store.auth.recoverAccount(
          body.agent_id,
          hash,
          sha256Hex(recoveryKey),
          clock.now(),
        );
        if (!ok) throw invalidSecret();
        c.header("Cache-Control", "no-store");
        return c.json({ recovery_key: recoveryKey }, 200);
      },
    },
  } satisfies Partial<AuthHandlers>;
}
