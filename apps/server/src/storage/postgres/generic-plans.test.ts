import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSIONS } from "../../domains/auth/postgres-store.js";
import { PAGE_ACCESS } from "../../domains/chat/postgres/messages.js";
import { statement } from "./database.js";
import { createTestPostgresStore } from "./test-store.js";

/**
 * The batched lookups every request makes (the guard's session read, the message list's access
 * and session read) must run a cached generic plan, not be planned anew on every execution
 * (database.ts, "Array keys"; planning was two thirds of the list statement's backend CPU), and
 * that plan must look each key up by index, whatever the planner estimates.
 */
describe("batched lookups on PostgreSQL", () => {
  const store = createTestPostgresStore({ shareKey: "generic-plans" });
  beforeAll(() => store.db.ready());
  afterAll(() => store.close());

  const cases = [
    {
      name: "the message list's access and session read",
      sql: PAGE_ACCESS,
      values: [JSON.stringify([{ conversation: "cnv_x", caller: "agt_x", session: "h" }])],
    },
    { name: "the guard's session read", sql: SESSIONS, values: [JSON.stringify(["h"])] },
  ];

  for (const c of cases) {
    it(`${c.name}: a generic plan after five executions, an index probe per key`, async () => {
      const client = await store.db.pool.connect();
      try {
        const config = statement(c.sql, c.values);
        for (let i = 0; i < 8; i++) await client.query(config);
        const [plans] = (
          await client.query(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1",
            [config.name],
          )
        ).rows;
        // auto mode tries five custom plans, then keeps the generic one if it is no dearer.
        expect(plans).toEqual({ generic_plans: 3, custom_plans: 5 });

        await client.query("SET plan_cache_mode = force_generic_plan");
        const plan = (
          await client.query(
            `EXPLAIN EXECUTE ${config.name}(${c.values.map((v) => `'${v}'`).join(", ")})`,
          )
        ).rows
          .map((r: { "QUERY PLAN": string }) => r["QUERY PLAN"])
          .join("\n");
        expect(plan).not.toMatch(/Seq Scan|Hash/);
        expect(plan).toMatch(/Index/);
      } finally {
        await client.query("RESET plan_cache_mode").catch(() => {});
        client.release();
      }
    });
  }
});
