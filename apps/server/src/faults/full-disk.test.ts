import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createGroup } from "../domains/chat/chat-fixtures.js";
import { testBackend } from "../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../testing/index.js";

// Threat 27 of security.md, full disk: writes get a clear 503 (never a 500), nothing
// acknowledged is lost, the file stays intact, and writes resume once there is room again.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A tiny tmpfs of `size` (needs root and a kernel that allows it), or undefined. */
function tinyFilesystem(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  cleanups.push(() => {
    execFileSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Sends `n` messages one after another; returns the ids of the acknowledged ones. */
async function burst(t: TestApp, a: TestAgent, groupId: string, n: number) {
  const acknowledged: string[] = [];
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const res = await t.request(`/api/conversations/${groupId}/messages`, {
      method: "POST",
      token: a.accessToken,
      json: { content: `message ${i} ${"x".repeat(500)}` },
    });
    if (res.status === 201) acknowledged.push(res.body.id);
    else {
      expect([res.status, res.body.error.code]).toEqual([503, "service_unavailable"]);
      expect(res.text).not.toMatch(/SQLITE|disk|\.ts/i);
      refused += 1;
    }
  }
  return { acknowledged, refused };
}

async function storedIds(t: TestApp, a: TestAgent, groupId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page = await t.request(`/api/conversations/${groupId}/messages?limit=100${query}`, {
      token: a.accessToken,
    });
    for (const m of page.body.data) ids.add(m.id);
    cursor = page.body.next_cursor;
  } while (cursor);
  return ids;
}

describe.skipIf(testBackend === "postgres")("full disk", () => {
  it("on a real 3 MB filesystem: 503 while full, nothing acknowledged lost, recovery after", async (ctx) => {
    const dir = tinyFilesystem("3m");
    if (!dir) return ctx.skip(); // not root or no mount permission: the next test simulates it
    const t = createTestApp({ dbPath: join(dir, "fluxra.db") });
    cleanups.push(() => void t.close());
    const a = await registerAgent(t);
    const group = await createGroup(t, a);
    const before = await burst(t, a, group.id, 20);
    expect(before.refused).toBe(0);

    // Fill the filesystem to the last byte.
    const filler = join(dir, "filler");
    const fd = openSync(filler, "w");
    try {
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      expect((err as { code?: string }).code).toBe("ENOSPC");
    } finally {
      closeSync(fd);
    }
    const during = await burst(t, a, group.id, 200);
    expect(during.refused).toBeGreaterThan(0);

    rmSync(filler);
    const after = await burst(t, a, group.id, 5);
    expect(after.refused).toBe(0);
    const stored = await storedIds(t, a, group.id);
    const acknowledged = [...before.acknowledged, ...during.acknowledged, ...after.acknowledged];
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(acknowledged.length);
    expect(t.store.db.raw.pragma("integrity_check", { simple: true })).toBe("ok");
    await t.close();
  });

  it("simulated with max_page_count: 503 while full, nothing acknowledged lost, recovery after", async () => {
    const t = createTestApp();
    cleanups.push(() => void t.close());
    const a = await registerAgent(t);
    const group = await createGroup(t, a);
    const before = await burst(t, a, group.id, 10);
    const raw = t.store.db.raw;
    const pages = raw.pragma("page_count", { simple: true }) as number;
    raw.pragma(`max_page_count = ${pages + 2}`);
    const during = await burst(t, a, group.id, 100);
    expect(during.refused).toBeGreaterThan(0);
    raw.pragma("max_page_count = 1073741823");
    const after = await burst(t, a, group.id, 5);
    expect(after.refused).toBe(0);
    const stored = await storedIds(t, a, group.id);
    const acknowledged = [...before.acknowledged, ...during.acknowledged, ...after.acknowledged];
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(acknowledged.length);
    expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
  });
});
