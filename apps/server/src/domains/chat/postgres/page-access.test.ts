import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";
import { PAGE_ACCESS, pageAccessRow } from "./messages.js";

// The list's access statement runs through queryRows (no Describe, rows decoded by position,
// bench/README.md, PostgreSQL round 9): its decoding must give what node-pg's own parsers give,
// for blocked ids that need quoting in a text[] literal too, and for every session state.
const store = createTestPostgresStore();
const q = store.db.query;
const [me, other] = ["agt_me", "agt_other"];
/** Blocked ids (`blocks.target_id` has no foreign key): plain, and each that text[] quotes. */
const blocked = [
  "agt_plain",
  "a,b",
  '"q"',
  "back\\slash",
  "{brace}",
  "NULL",
  "sp ace",
  "ünï 😀",
  "",
];
const EXPIRES = 1_765_000_000_000_123;
const REVOKED = 1_765_000_000_000_456;

beforeAll(async () => {
  await q(
    `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
     SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
    [[me, other]],
  );
  await q(
    `INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at, messages_version)
     VALUES ('cnv_p', 'group', 'p', $1, 2, 1, 0, 0, 0, 9007199254740991)`,
    [me],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT 'cnv_p', a, 'member', 0 FROM unnest($1::text[]) AS a`,
    [[me, other]],
  );
  await q(
    `INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
     SELECT 'blk_' || n, $1, 'agent', t, 0 FROM unnest($2::text[]) WITH ORDINALITY AS b(t, n)`,
    [me, blocked],
  );
  await q(
    `INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at)
     VALUES ('key_p', $1, 'k', 'p', 'h', 0)`,
    [me],
  );
  await q(
    `INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at)
     VALUES ('h_live', 'ses_live', $1, 'key_p', 0, $2, NULL),
            ('h_revoked', 'ses_revoked', $1, 'key_p', 0, $2, $3)`,
    [me, EXPIRES, REVOKED],
  );
});
afterAll(async () => store.close());

describe("the list's access statement on queryRows", () => {
  const keys = [
    { conversation: "cnv_p", caller: me, session: "h_live" },
    { conversation: "cnv_p", caller: me, session: "h_revoked" },
    { conversation: "cnv_p", caller: other, session: "h_missing" },
    { conversation: "cnv_none", caller: me, session: null },
  ];

  it("decodes each row as node-pg's parsers do", async () => {
    const json = JSON.stringify(keys);
    const rows = await store.db.queryRows(PAGE_ACCESS, [json], pageAccessRow);
    const reference = await q<{
      i: number;
      messages_version: number | null;
      blocked: string[] | null;
      session_agent: string | null;
      session_expires: number | null;
      session_revoked: number | null;
    }>(PAGE_ACCESS, [json]);
    expect(rows).toHaveLength(keys.length);
    expect(rows).toEqual(
      reference.map((r) => ({
        i: r.i,
        access:
          r.messages_version === null
            ? undefined
            : {
                messages_version: r.messages_version,
                blocked: r.blocked === null ? null : new Set(r.blocked),
              },
        session:
          r.session_agent === null
            ? null
            : {
                agentId: r.session_agent,
                expiresAt: r.session_expires,
                revokedAt: r.session_revoked,
              },
      })),
    );
    const byKey = [...rows].sort((a, b) => a.i - b.i);
    expect(byKey).toEqual([
      {
        i: 1,
        access: { messages_version: 9007199254740991, blocked: new Set(blocked) },
        session: { agentId: me, expiresAt: EXPIRES, revokedAt: null },
      },
      {
        i: 2,
        access: { messages_version: 9007199254740991, blocked: new Set(blocked) },
        session: { agentId: me, expiresAt: EXPIRES, revokedAt: REVOKED },
      },
      { i: 3, access: { messages_version: 9007199254740991, blocked: null }, session: null },
      { i: 4, access: undefined, session: null },
    ]);
  });
});
