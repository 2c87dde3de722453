import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testBackend } from "../storage/postgres/test-store.js";
import { checkedResponse } from "../testing/index.js";
import { type CliServer, startCli } from "./cli-process.js";

// Threat 12 of security.md: plaintext secrets reach neither the database file (nor its WAL)
// nor the server's output. The real CLI runs on a SQLite file; the test greps both.

const dir = mkdtempSync(join(tmpdir(), "fluxra-secrets-"));
const dbPath = join(dir, "secrets.db");
let server: CliServer | undefined;
afterAll(async () => {
  if (server?.child.exitCode === null) await server.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file SQLite keeps for the database, concatenated. */
function databaseBytes(): Buffer {
  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter(existsSync);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

describe.skipIf(testBackend === "postgres")("secrets at rest and in logs", () => {
  it("never writes a recovery key, api key, or access token in plain text", async () => {
    server = await startCli(dbPath, { FLUXRA_RATE_LIMITS: "off" });
    const { baseUrl } = server;
    const call = async (
      method: string,
      path: string,
      init: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
    ) => {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.json === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      });
      return checkedResponse(method, path.split("?")[0] as string, res);
    };
    const secrets: string[] = [];
    // Idempotent requests store their (sealed) response: the secret must not leak that way.
    const reg = await call("POST", "/api/auth/register", {
      json: { handle: "keeper" },
      headers: { "Idempotency-Key": "reg-1" },
    });
    const agentId: string = reg.body.agent.id;
    secrets.push(reg.body.recovery_key);
    const key = await call("POST", "/api/auth/api-keys", {
      token: reg.body.recovery_key,
      json: { name: "ci" },
      headers: { "Idempotency-Key": "key-1" },
    });
    secrets.push(key.body.api_key);
    const token = await call("POST", "/api/auth/token", {
      json: { api_key: key.body.api_key },
      headers: { "Idempotency-Key": "tok-1" },
    });
    // The session id is an identifier (listed by GET /api/auth/sessions, the token's `sid`), not
    // a credential: only a token signed by the server carries it. The tokens are the secrets.
    secrets.push(token.body.access_token);
    const refreshed = await call("POST", "/api/auth/refresh", { token: token.body.access_token });
    secrets.push(refreshed.body.access_token);
    const rotated = await call("POST", "/api/auth/recovery-key/rotate", {
      token: reg.body.recovery_key,
    });
    secrets.push(rotated.body.recovery_key);
    const recovered = await call("POST", "/api/auth/recover", {
      json: { agent_id: agentId, recovery_key: rotated.body.recovery_key },
    });
    secrets.push(recovered.body.recovery_key);
    const key2 = await call("POST", "/api/auth/api-keys", {
      token: recovered.body.recovery_key,
      json: { name: "second" },
    });
    secrets.push(key2.body.api_key);
    // Refusals that carry secrets in headers, bodies and URLs (things a server might log).
    await call("GET", "/api/agents/me", { token: key2.body.api_key });
    await call("GET", `/api/nope?key=${key2.body.api_key}`, { token: key2.body.api_key });
    await call("POST", "/api/auth/register", {
      json: { handle: "x!", recovery_key: recovered.body.recovery_key },
    });
    await call("POST", "/api/auth/token", { json: { api_key: `${key2.body.api_key}x` } });
    await call("GET", "/api/auth/session", { token: `${token.body.access_token}x` });

    expect(secrets.every((s) => typeof s === "string" && s.length > 20)).toBe(true);
    const live = databaseBytes();
    expect(live.length).toBeGreaterThan(4096);
    // The scan itself works: a value the server does store in plain text is found.
    expect(live.includes(Buffer.from(agentId))).toBe(true);
    for (const secret of secrets) {
      expect(live.includes(Buffer.from(secret)), `${secret.slice(0, 8)}… in the db/WAL`).toBe(
        false,
      );
      // Nor the random part alone (e.g. stored without its prefix).
      expect(live.includes(Buffer.from(secret.slice(4, 36)))).toBe(false);
    }
    expect(await server.stop()).toBe(0);
    const after = databaseBytes();
    for (const secret of secrets) expect(after.includes(Buffer.from(secret))).toBe(false);
    const output = server.output();
    expect(output).toContain("listening on");
    for (const secret of secrets) {
      expect(output.includes(secret), `${secret.slice(0, 8)}… in the output`).toBe(false);
      expect(output.includes(secret.slice(4, 36))).toBe(false);
    }
  });
});
