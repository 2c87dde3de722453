import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  type Json,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";
import { createGroup, get, openDirect, send, setRole } from "./chat-fixtures.js";

let t: TestApp;
let alice: TestAgent;
let bob: TestAgent;
let dm: Json;

beforeAll(async () => {
  t = createTestApp();
  [alice, bob] = [await registerAgent(t), await registerAgent(t)];
  dm = await openDirect(t, alice, bob);
});
afterAll(() => t.close());

const post = (caller: TestAgent, conversationId: string, json: unknown, key?: string) =>
  t.request(`/api/conversations/${conversationId}/messages`, {
    method: "POST",
    token: caller.accessToken,
    json,
    ...(key === undefined ? {} : { headers: { "Idempotency-Key": key } }),
  });
const edit = (caller: TestAgent, conversationId: string, messageId: string, json: unknown) =>
  t.request(`/api/conversations/${conversationId}/messages/${messageId}`, {
    method: "PATCH",
    token: caller.accessToken,
    json,
  });
const del = (caller: TestAgent, conversationId: string, messageId: string) =>
  t.request(`/api/conversations/${conversationId}/messages/${messageId}`, {
    method: "DELETE",
    token: caller.accessToken,
  });

describe("sending", () => {
  it("stores a message with the next seq and every field", async () => {
    const first = await post(alice, dm.id, { content: "hello" });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      conversation_id: dm.id,
      author_id: alice.id,
      content: "hello",
      content_type: "text/plain",
      reply_to_id: null,
      metadata: null,
      edited_at: null,
      deleted_at: null,
    });
    const reply = await post(bob, dm.id, {
      content: '{"a":1}',
      content_type: "application/json",
      reply_to_id: first.body.id,
      metadata: { trace: "x" },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.seq).toBe(first.body.seq + 1);
    expect(reply.body).toMatchObject({ reply_to_id: first.body.id, metadata: { trace: "x" } });
    const conv = await get(t, alice, `/api/conversations/${dm.id}`);
    expect(conv.body.last_message.id).toBe(reply.body.id);
    expect(conv.body.last_message_at).toBe(reply.body.created_at);
  });

  it("enforces the content, JSON, metadata and reply rules with 422", async () => {
    const other = await createGroup(t, alice, [bob]);
    const foreign = await send(t, alice, other.id, "elsewhere");
    const cases: [unknown, string][] = [
      [{ content: "" }, "body.content"],
      [{ content: "x".repeat(8001) }, "body.content"],
      [{ content: "{nope", content_type: "application/json" }, "body.content"],
      [{ content: "x", content_type: "text/html" }, "body.content_type"],
      [{ content: "x", metadata: { blob: "y".repeat(4100) } }, "body.metadata"],
      [{ content: "x", reply_to_id: foreign.id }, "body.reply_to_id"],
      [{ content: "x", reply_to_id: `msg_${"0".repeat(26)}` }, "body.reply_to_id"],
      [{ content: "x", author_id: bob.id }, "body.author_id"],
    ];
    for (const [json, path] of cases) {
      const res = await post(alice, dm.id, json);
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(422);
      expect(res.body.error.details.map((d: Json) => d.path)).toContain(path);
    }
  });

  it("counts content in code points: 8,000 emoji fit, 8,001 do not", async () => {
    expect((await post(alice, dm.id, { content: "😀".repeat(8000) })).status).toBe(201);
    expect((await post(alice, dm.id, { content: "😀".repeat(8001) })).status).toBe(422);
  });

  it("replays an idempotent send and refuses the key with another body", async () => {
    const first = await post(alice, dm.id, { content: "once" }, "send-1");
    const retry = await post(alice, dm.id, { content: "once" }, "send-1");
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const list = await get(t, alice, `/api/conversations/${dm.id}/messages?limit=100`);
    expect(list.body.data.filter((m: Json) => m.content === "once")).toHaveLength(1);
    const other = await post(alice, dm.id, { content: "twice" }, "send-1");
    expect([other.status, other.body.error.code]).toEqual([422, "idempotency_key_reused"]);
    // Another agent's identical key is its own: no cross-agent replay.
    const bobs = await post(bob, dm.id, { content: "once" }, "send-1");
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(first.body.id);
  });
});

describe("reading one message", () => {
  it("finds it in its own conversation only", async () => {
    const m = await send(t, alice, dm.id, "findme");
    const ok = await get(t, bob, `/api/conversations/${dm.id}/messages/${m.id}`);
    expect([ok.status, ok.body.content]).toEqual([200, "findme"]);
    const g = await createGroup(t, alice, [bob]);
    const wrong = await get(t, bob, `/api/conversations/${g.id}/messages/${m.id}`);
    expect([wrong.status, wrong.body.error.code]).toEqual([404, "not_found"]);
    expect((await get(t, bob, `/api/conversations/${dm.id}/messages/bad`)).status).toBe(422);
  });
});

describe("edit and delete permissions", () => {
  it("matches the matrix for author, member, admin, owner and non-member", async () => {
    const [owner, admin, author, member, outsider] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    const g = await createGroup(t, owner, [admin, author, member]);
    await setRole(t, owner, g.id, admin, "admin");
    const fresh = () => send(t, author, g.id, "original");

    const m1 = await fresh();
    for (const who of [owner, admin, member]) {
      const res = await edit(who, g.id, m1.id, { content: "hijack" });
      expect([res.status, res.body.error.code]).toEqual([403, "not_message_author"]);
    }
    expect((await edit(outsider, g.id, m1.id, { content: "x" })).status).toBe(404);
    t.clock.advance(500);
    const edited = await edit(author, g.id, m1.id, { content: "fixed", metadata: { v: 2 } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ content: "fixed", metadata: { v: 2 } });
    expect(edited.body.edited_at > edited.body.created_at).toBe(true);
    const typeChange = await edit(author, g.id, m1.id, { content_type: "text/markdown" });
    expect(typeChange.status).toBe(422);
    expect((await edit(author, g.id, m1.id, {})).status).toBe(422);

    expect((await del(member, g.id, m1.id)).status).toBe(403);
    expect((await del(outsider, g.id, m1.id)).status).toBe(404);
    for (const who of [author, admin, owner]) {
      const m = await fresh();
      const res = await del(who, g.id, m.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: m.id, seq: m.seq, content: null, metadata: null });
      expect(res.body.deleted_at).not.toBeNull();
      const again = await del(who, g.id, m.id);
      expect(again.body).toEqual(res.body);
      const late = await edit(author, g.id, m.id, { content: "too late" });
      expect([late.status, late.body.error.code]).toEqual([409, "message_deleted"]);
    }
    const denied = await del(member, g.id, m1.id);
    expect(denied.body.error.code).toBe("not_message_author");
  });

  it("in a direct conversation only the author deletes", async () => {
    const m = await send(t, alice, dm.id, "mine");
    const res = await del(bob, dm.id, m.id);
    expect([res.status, res.body.error.code]).toEqual([403, "not_message_author"]);
    expect((await del(alice, dm.id, m.id)).status).toBe(200);
  });

  it("keeps JSON content parseable on edit", async () => {
    const m = await post(alice, dm.id, { content: "[1]", content_type: "application/json" });
    const bad = await edit(alice, dm.id, m.body.id, { content: "[1" });
    expect(bad.status).toBe(422);
    expect((await edit(alice, dm.id, m.body.id, { content: "[2]" })).status).toBe(200);
  });

  it("a concurrent edit and delete of one message ends deleted", async () => {
    const m = await send(t, alice, dm.id, "race");
    const [e, d] = await Promise.all([
      edit(alice, dm.id, m.id, { content: "edited" }),
      del(alice, dm.id, m.id),
    ]);
    expect(d.status).toBe(200);
    expect([200, 409]).toContain(e.status);
    const final = await get(t, alice, `/api/conversations/${dm.id}/messages/${m.id}`);
    expect(final.body).toMatchObject({ content: null, deleted_at: expect.any(String) });
    const after = await edit(alice, dm.id, m.id, { content: "edited" });
    expect(after.body.error.code).toBe("message_deleted");
  });
});
