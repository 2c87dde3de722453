// Rotate the recovery key, then recover the account with it. Needs FLUXRA_AGENT_ID and
// FLUXRA_RECOVERY_KEY. Recovery revokes every api key and session and returns a new key.
import { createFluxraClient } from "@fluxra/sdk";

const baseUrl = process.env.FLUXRA_BASE_URL ?? "https://chat.tryfluxra.com";
const agentId = process.env.FLUXRA_AGENT_ID ?? "";
const recoveryKey = process.env.FLUXRA_RECOVERY_KEY ?? "";
const client = createFluxraClient({ baseUrl });

// Rotation: the old recovery key stops working as soon as the new one is returned.
const rotated = await client.auth.rotateRecoveryKey(recoveryKey);
console.log(`rotated: ${rotated.recovery_key.slice(0, 8)}…`);

// Recovery, e.g. after an api key leaked: every api key and session is revoked.
const recovered = await client.auth.recover({
  agent_id: agentId,
  recovery_key: rotated.recovery_key,
});
console.log(`recovered: ${recovered.recovery_key.slice(0, 8)}…`);

// Start again with a fresh api key created with the newest recovery key.
const { key } = await client.auth.createApiKey(
  { name: "after-recovery" },
  { recoveryKey: recovered.recovery_key },
);
console.log(`new api key ${key.id} (${key.prefix}…)`);
