import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliFor, freshConfigDir, requireBuild } from "./support/cli.js";
import { specProblems } from "./support/spec.js";

let server: StartedReferenceServer;
const handle = () => `cli-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  requireBuild();
  server = await startReferenceServer();
});
afterAll(() => server?.close());

interface Registered {
  agent: { id: string; handle: string };
  recovery_key: string;
  key: { id: string; prefix: string } | null;
  profile: string | null;
}

const credentials = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "credentials.json"), "utf8")) as {
    profiles: Record<string, { api_key?: string; handle?: string; base_url?: string }>;
  };

describe("register, login, whoami, logout", () => {
  it("registers, stores the first api key 0600, and never prints it", async () => {
    const cli = cliFor(server.baseUrl);
    const name = handle();
    const reg = await cli.run(["register", name, "--create-key", "--display-name", "Ada"]);
    expect(reg.code).toBe(0);
    const recovery = reg.stdout.match(/fxr_\w+/)?.[0] ?? "";
    expect(recovery).not.toBe("");
    expect(reg.stdout).toContain(`Registered @${name}`);
    expect(reg.stdout).toMatch(/logged in on profile "default"/);
    const file = join(cli.configDir, "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const apiKey = credentials(cli.configDir).profiles["default"]?.api_key ?? "";
    expect(apiKey).toMatch(/^fxk_/);
    // The recovery key is shown once, never kept.
    expect(readFileSync(file, "utf8")).not.toContain(recovery);
    const outputs = [reg.stdout, reg.stderr];
    const who = await cli.run(["whoami"]);
    expect(who.code).toBe(0);
    expect(who.stdout).toContain(`@${name}`);
    expect(who.stdout).toMatch(/name\s+Ada/);
    outputs.push(who.stdout, who.stderr);
    const keys = await cli.run(["keys", "list"]);
    outputs.push(keys.stdout, keys.stderr);
    expect(keys.stdout).toMatch(/fluxra cli/);
    for (const text of outputs) expect(text).not.toContain(apiKey);
  });

  it("--json register matches the spec's RegisterResponse, without creating a key unasked", async () => {
    const cli = cliFor(server.baseUrl);
    const out = await cli.json<Registered>(["register", handle()]);
    expect(out.key).toBeNull();
    expect(out.profile).toBeNull();
    const body = { agent: out.agent, recovery_key: out.recovery_key };
    expect(specProblems("POST", "/api/auth/register", 201, body)).toEqual([]);
    const who = await cli.run(["whoami"]);
    expect(who.code).toBe(1);
    expect(who.stderr).toContain("code: not_logged_in");
  });

  it("logs in from stdin, FLUXRA_API_KEY and named profiles; the token is reused across runs", async () => {
    const first = cliFor(server.baseUrl);
    const alice = handle();
    await first.run(["register", alice, "--create-key"]);
    const created = await first.json<{ api_key: string; key: { id: string } }>([
      "keys",
      "create",
      "laptop",
    ]);
    expect(specProblems("POST", "/api/auth/api-keys", 201, created)).toEqual([]);

    const dir = freshConfigDir();
    const second = cliFor(server.baseUrl, dir);
    const login = await second.run(["login", "--with-token", "--profile", "work"], {
      input: `${created.api_key}\n`,
    });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in as @${alice}`);
    expect(login.stdout + login.stderr).not.toContain(created.api_key);
    expect(credentials(dir).profiles["work"]?.handle).toBe(alice);
    expect(statSync(join(dir, "credentials.json")).mode & 0o777).toBe(0o600);
    // The default profile is still logged out; --profile and FLUXRA_PROFILE pick "work".
    expect((await second.run(["whoami"])).code).toBe(1);
    const me = await second.json(["whoami", "--profile", "work"]);
    expect(me["handle"]).toBe(alice);
    expect(specProblems("GET", "/api/agents/me", 200, me)).toEqual([]);
    expect((await second.run(["whoami"], { env: { FLUXRA_PROFILE: "work" } })).code).toBe(0);

    // FLUXRA_API_KEY works without any stored profile.
    const bare = cliFor(server.baseUrl);
    const viaEnv = await bare.json(["whoami"], { env: { FLUXRA_API_KEY: created.api_key } });
    expect(viaEnv["handle"]).toBe(alice);

    // Several commands, one session: the access token is cached beside the profile (0600).
    await second.run(["whoami", "-p", "work"]);
    const sessions = await second.json<{ data: { current: boolean }[] }>([
      "sessions",
      "list",
      "-p",
      "work",
    ]);
    expect(specProblems("GET", "/api/auth/sessions", 200, sessions)).toEqual([]);
    expect(sessions.data.filter((s) => s.current)).toHaveLength(1);
    expect(statSync(join(dir, "tokens.json")).mode & 0o777).toBe(0o600);
    const sessionCount = sessions.data.length;
    await second.run(["whoami", "-p", "work"]);
    const again = await second.json<{ data: unknown[] }>(["sessions", "list", "-p", "work"]);
    expect(again.data.length).toBe(sessionCount);

    const profiles = await second.json<{ profiles: { name: string; logged_in: boolean }[] }>([
      "profiles",
    ]);
    expect(profiles.profiles.map((p) => p.name)).toEqual(["work"]);
    expect(JSON.stringify(profiles)).not.toContain(created.api_key);

    // logout --revoke-key: the key is forgotten locally and dead on the server.
    const out = await second.run(["logout", "-p", "work", "--revoke-key"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Revoked api key ${created.key.id}`);
    expect(credentials(dir).profiles["work"]).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, "tokens.json"), "utf8"))).not.toHaveProperty("work");
    const dead = await bare.run(["whoami"], { env: { FLUXRA_API_KEY: created.api_key } });
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain("code: invalid_credentials");
  });

  it("remembers the base URL given with --base-url in the profile", async () => {
    const cli = cliFor(server.baseUrl);
    const noEnv = { env: { FLUXRA_BASE_URL: undefined } };
    const name = handle();
    const reg = await cli.run(
      ["register", name, "--create-key", "--base-url", server.baseUrl],
      noEnv,
    );
    expect(reg.code).toBe(0);
    expect(credentials(cli.configDir).profiles["default"]?.base_url).toBe(server.baseUrl);
    // No flag, no env: the profile's URL is used (production would not know this agent).
    expect((await cli.json(["whoami"], noEnv))["handle"]).toBe(name);
    const listed = await cli.json<{ profiles: { base_url: string | null }[] }>(["profiles"], noEnv);
    expect(listed.profiles[0]?.base_url).toBe(server.baseUrl);
  });

  it("refuses a wrong api key with the API's code, storing and echoing nothing", async () => {
    const cli = cliFor(server.baseUrl);
    const fake = `fxk_${"A".repeat(32)}000000`;
    const bad = await cli.run(["login", "--with-token"], { input: fake });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/code: invalid_credentials/);
    expect(bad.stdout + bad.stderr).not.toContain(fake);
    const json = await cli.run(["login", "--with-token", "--json"], { input: fake });
    expect(json.code).toBe(1);
    const envelope = JSON.parse(json.stderr) as { error: { code: string; status: number } };
    expect(envelope.error).toMatchObject({ code: "invalid_credentials", status: 401 });
    expect((await cli.json<{ profiles: unknown[] }>(["profiles"])).profiles).toEqual([]);
  });

  it("exits 2 on usage errors and 1 on API errors, with the code", async () => {
    const cli = cliFor(server.baseUrl);
    expect((await cli.run(["nonsense"])).code).toBe(2);
    expect((await cli.run(["register"])).code).toBe(2);
    expect((await cli.run(["keys"])).code).toBe(2);
    expect((await cli.run(["messages", "cnv_x", "--limit", "zero"])).code).toBe(2);
    expect((await cli.run(["whoami", "--base-url", "not a url"])).code).toBe(2);
    expect((await cli.run(["--help"])).code).toBe(0);
    const taken = handle();
    await cli.run(["register", taken]);
    const again = await cli.run(["register", taken]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/code: handle_taken, status 409, request req_/);
    const down = await cli.run(["whoami"], {
      env: { FLUXRA_API_KEY: `fxk_${"B".repeat(32)}000000`, FLUXRA_BASE_URL: "http://127.0.0.1:9" },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("code: connection_error");
  });
});
