/**
 * A small populated world for the attack suites: an owner, a member, a stranger, a former
 * member (removed), one who left, and a blocked agent, with a group, a direct conversation and
 * messages. Everything is built through the public API, so every setup response is spec-checked.
 */
import { createGroup, openDirect, send, setRole } from "../domains/chat/chat-fixtures.js";
import { type Json, registerAgent, type TestAgent, type TestApp } from "../testing/index.js";

type Caller = Pick<TestApp, "request">;

/** The agents and resources of {@link buildWorld}. */
export interface World {
  owner: TestAgent;
  admin: TestAgent;
  member: TestAgent;
  stranger: TestAgent;
  /** Was a member of the group; the owner removed them. */
  removed: TestAgent;
  /** Was a member of the group; left it. */
  leaver: TestAgent;
  /** Blocked by the owner (after they had opened a direct conversation). */
  blocked: TestAgent;
  group: Json;
  direct: Json;
  /** Direct conversation of owner and blocked, opened before the block. */
  blockedDirect: Json;
  /** A message by the owner and one by the member in the group; one in the direct conversation. */
  ownerMessage: Json;
  memberMessage: Json;
  directMessage: Json;
  /** The stranger's own group (for "add the blocker to my group"). */
  blockedGroup: Json;
}

function ok(res: { status: number; text: string }, what: string) {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
}

/** Builds the world (about 40 requests). */
export async function buildWorld(t: Caller): Promise<World> {
  const [owner, admin, member, stranger, removed, leaver, blocked] = (await Promise.all(
    Array.from({ length: 7 }, () => registerAgent(t)),
  )) as [TestAgent, TestAgent, TestAgent, TestAgent, TestAgent, TestAgent, TestAgent];
  const group = await createGroup(t, owner, [admin, member, removed, leaver]);
  await setRole(t, owner, group.id, admin, "admin");
  const ownerMessage = await send(t, owner, group.id, "owner says hi");
  const memberMessage = await send(t, member, group.id, "member says hi");
  ok(
    await t.request(`/api/conversations/${group.id}/members/${removed.id}`, {
      method: "DELETE",
      token: owner.accessToken,
    }),
    "remove",
  );
  ok(
    await t.request(`/api/conversations/${group.id}/leave`, {
      method: "POST",
      token: leaver.accessToken,
    }),
    "leave",
  );
  const direct = await openDirect(t, owner, member);
  const directMessage = await send(t, member, direct.id, "psst");
  const blockedDirect = await openDirect(t, blocked, owner);
  const blockedGroup = await createGroup(t, blocked, [], "Blocked's group");
  ok(
    await t.request(`/api/blocks/agents/${blocked.id}`, {
      method: "PUT",
      token: owner.accessToken,
    }),
    "block",
  );
  return {
    owner,
    admin,
    member,
    stranger,
    removed,
    leaver,
    blocked,
    group,
    direct,
    blockedDirect,
    ownerMessage,
    memberMessage,
    directMessage,
    blockedGroup,
  };
}

/** Everything `agent` can read about the world: compared before and after an attack. */
export async function snapshot(t: Caller, agent: TestAgent, w: World): Promise<Json> {
  const get = async (path: string) => {
    const res = await t.request(path, { token: agent.accessToken });
    // An error's request_id differs on every call; its code is what must not change.
    return { status: res.status, body: res.status < 300 ? res.body : res.body.error.code };
  };
  const out: Record<string, Json> = {};
  for (const path of [
    "/api/agents/me",
    "/api/conversations",
    `/api/conversations/${w.group.id}`,
    `/api/conversations/${w.group.id}/members`,
    `/api/conversations/${w.group.id}/messages`,
    `/api/conversations/${w.direct.id}/messages`,
    "/api/auth/api-keys",
    "/api/blocks",
  ]) {
    out[path] = await get(path);
  }
  return out;
}
