import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  getToken,
  registerAgent,
  type TestAgent,
  type TestApp,
  type TestResponse,
  uniqueHandle,
} from "../testing/index.js";

// Idempotent replays of responses that carry a credential (issue 15, findings 2 and 3): a
// replay must never hand one session's token or api key to another session of the same agent,
// never hand out a token whose session is gone, and never re-show a recovery key to whoever
// repeats an anonymous request.

let t: TestApp;
let counter = 0;
beforeAll(() => {
  t = createTestApp();
});
afterAll(async () => t.close());

const idemKey = () => `replay-${process.pid}-${++counter}`;

function post(path: string, key: string, token?: string, json?: unknown): Promise<TestResponse> {
  return t.request(path, {
    method: "POST",
    headers: { "idempotency-key": key },
    ...(token === undefined ? {} : { token }),
    ...(json === undefined ? {} : { json }),
  });
}

const replayed = (res: TestResponse) => res.headers.get("idempotent-replayed") === "true";

describe("replays bound to the credential that made them (issue 15.2)", () => {
  let a: TestAgent;
  beforeAll(async () => {
    a = await registerAgent(t);
  });

  it("refresh: another session with the same Idempotency-Key gets its own token, never the first one's", async () => {
    const key = idemKey();
    const first = await post("/api/auth/refresh", key, a.accessToken);
    expect(first.status).toBe(200);
    expect(first.body.session_id).toBe(a.sessionId);

    // A second api key, a session from it, and the same Idempotency-Key.
    const second = await post("/api/auth/api-keys", idemKey(), a.accessToken, { name: "second" });
    const other = await getToken(t, second.body.api_key);
    const fromOther = await post("/api/auth/refresh", key, other.accessToken);
    expect(fromOther.status).toBe(200);
    expect(replayed(fromOther)).toBe(false);
    expect(fromOther.body.session_id).toBe(other.sessionId);
    expect(fromOther.text).not.toContain(first.body.access_token);

    // The same session still gets its replay.
    const again = await post("/api/auth/refresh", key, a.accessToken);
    expect(replayed(again)).toBe(true);
    expect(again.body.access_token).toBe(first.body.access_token);

    // Revoking the second key ends everything its session obtained.
    const revoked = await t.request(`/api/auth/api-keys/${second.body.key.id}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(revoked.status).toBe(204);
    const after = await t.request("/api/auth/session", { token: fromOther.body.access_token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("session_revoked");
    const replayAfter = await post("/api/auth/refresh", key, other.accessToken);
    expect(replayAfter.status).toBe(401);
  });

  it("api-key creation: another session or the recovery key gets a new key, never the first secret", async () => {
    const key = idemKey();
    const body = { name: "ci" };
    const first = await post("/api/auth/api-keys", key, a.accessToken, body);
    expect(first.status).toBe(201);
    const other = await getToken(t, a.apiKey);
    for (const token of [other.accessToken, a.recoveryKey]) {
      const res = await post("/api/auth/api-keys", key, token, body);
      expect(res.status).toBe(201);
      expect(replayed(res)).toBe(false);
      expect(res.body.api_key).not.toBe(first.body.api_key);
      expect(res.body.key.id).not.toBe(first.body.key.id);
    }
    const same = await post("/api/auth/api-keys", key, a.accessToken, body);
    expect(replayed(same)).toBe(true);
    expect(same.body.api_key).toBe(first.body.api_key);
  });

  it("token exchange: a replay is refused once the session it opened is revoked", async () => {
    const key = idemKey();
    const body = { api_key: a.apiKey };
    const first = await post("/api/auth/token", key, undefined, body);
    expect(first.status).toBe(200);
    const again = await post("/api/auth/token", key, undefined, body);
    expect(replayed(again)).toBe(true);
    expect(again.body.access_token).toBe(first.body.access_token);

    const out = await post("/api/auth/logout", idemKey(), first.body.access_token);
    expect(out.status).toBe(204);
    const afterLogout = await post("/api/auth/token", key, undefined, body);
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.error.code).toBe("session_revoked");
    expect(afterLogout.text).not.toContain(first.body.access_token);
  });
});

describe("anonymous secrets are never replayed (issue 15.3)", () => {
  it("registration: a retry with the same key and body answers 409 handle_taken without the recovery key", async () => {
    const key = idemKey();
    const body = { handle: uniqueHandle("replayed") };
    const first = await post("/api/auth/register", key, undefined, body);
    expect(first.status).toBe(201);
    const again = await post("/api/auth/register", key, undefined, body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("handle_taken");
    expect(again.text).not.toContain(first.body.recovery_key);
    expect(replayed(again)).toBe(false);
    // Another body with the same key is still a misuse of the key.
    const other = await post("/api/auth/register", key, undefined, { handle: uniqueHandle() });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    // The first caller's recovery key works.
    const made = await post("/api/auth/api-keys", idemKey(), first.body.recovery_key, {
      name: "k",
    });
    expect(made.status).toBe(201);
  });

  it("a failed registration can still be retried with the same key", async () => {
    const taken = await registerAgent(t);
    const key = idemKey();
    const clash = await post("/api/auth/register", key, undefined, { handle: taken.handle });
    expect(clash.status).toBe(409);
    const fresh = { handle: uniqueHandle() };
    const ok = await post("/api/auth/register", idemKey(), undefined, fresh);
    expect(ok.status).toBe(201);
  });

  it("account recovery: a retry never re-shows the new recovery key", async () => {
    const a = await registerAgent(t);
    const key = idemKey();
    const body = { agent_id: a.id, recovery_key: a.recoveryKey };
    const first = await post("/api/auth/recover", key, undefined, body);
    expect(first.status).toBe(200);
    const again = await post("/api/auth/recover", key, undefined, body);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("invalid_credentials");
    expect(again.text).not.toContain(first.body.recovery_key);
  });
});
