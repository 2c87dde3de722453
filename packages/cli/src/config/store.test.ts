import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCredentials, updateProfile } from "./store.js";

describe("credentials file", () => {
  it("keeps named profiles in a 0600 file inside a 0700 dir, leaving no temp files", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "fluxra-store-")), "nested", "fluxra");
    expect(await readCredentials(dir)).toEqual({ profiles: {} });
    await updateProfile(dir, "default", () => ({ api_key: "fxk_a", handle: "ada" }));
    await updateProfile(dir, "work", () => ({ api_key: "fxk_b", base_url: "http://127.0.0.1:1" }));
    await updateProfile(dir, "default", (p) => ({ ...p, handle: "ada2" }));
    expect((await readCredentials(dir)).profiles).toEqual({
      default: { api_key: "fxk_a", handle: "ada2" },
      work: { api_key: "fxk_b", base_url: "http://127.0.0.1:1" },
    });
    expect(statSync(join(dir, "credentials.json")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await updateProfile(dir, "work", () => undefined);
    expect(Object.keys((await readCredentials(dir)).profiles)).toEqual(["default"]);
    expect(readdirSync(dir)).toEqual(["credentials.json"]);
  });

  it("tightens a file that was readable by others when it is next written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-store-"));
    writeFileSync(join(dir, "credentials.json"), '{"profiles":{}}', { mode: 0o644 });
    await updateProfile(dir, "default", () => ({ api_key: "fxk_a" }));
    expect(statSync(join(dir, "credentials.json")).mode & 0o777).toBe(0o600);
  });
});
