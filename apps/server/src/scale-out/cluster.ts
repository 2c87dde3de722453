import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { testPostgresUrl } from "../storage/postgres/test-store.js";
import { checkedResponse, type TestRequestInit, type TestResponse } from "../testing/index.js";

const serverDir = fileURLToPath(new URL("../..", import.meta.url));

/** One `fluxra-server` process (the real CLI via tsx) on a loopback port. */
export interface Instance {
  name: string;
  baseUrl: string;
  /** Spec-checked request to this instance. */
  fetch(path: string, init?: TestRequestInit): Promise<TestResponse>;
}

/** Several server processes sharing one freshly created PostgreSQL database. */
export interface Cluster {
  instances: Instance[];
  databaseUrl: string;
  /** A client on the shared database, for assertions on the stored rows. */
  sql: pg.Pool;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function startInstance(
  name: string,
  databaseUrl: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli.ts", "--port", "0", "--db", databaseUrl],
    {
      cwd: serverDir,
      env: { ...process.env, FLUXRA_PG_POOL_SIZE: "5", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        child.stdout?.off("data", onData);
        resolve({ child, baseUrl: m[1] });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(new Error(`${name} exited (${code}) before listening:\n${out}`)),
    );
  });
}

/**
 * Creates a fresh database, then starts `count` server processes on it at the same moment (so
 * their start-up migrations race, as they would in a rolling deploy).
 */
export async function startCluster(
  count: number,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const database = `fluxra_scale_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const databaseUrl = withDatabase(testPostgresUrl, database);
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startInstance(`instance-${i + 1}`, databaseUrl, env)),
  );
  const children = started.flatMap((s) => (s.status === "fulfilled" ? [s.value.child] : []));
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // The database is dropped WITH (FORCE) at the end; an idle client it terminates (57P01) must
  // not surface as an unhandled error in the test process.
  sql.on("error", () => {});
  const close = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    await sql.end();
    const dropper = new pg.Client({ connectionString: testPostgresUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await dropper.end();
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await close();
    throw (failed as PromiseRejectedResult).reason;
  }
  const instances = started.map((s, i) => {
    const { baseUrl } = (s as PromiseFulfilledResult<{ baseUrl: string }>).value;
    return {
      name: `instance-${i + 1}`,
      baseUrl,
      fetch: (path: string, init?: TestRequestInit) => request(baseUrl, path, init),
    };
  });
  return { instances, databaseUrl, sql, close };
}

async function request(
  baseUrl: string,
  path: string,
  init: TestRequestInit = {},
): Promise<TestResponse> {
  const { json, token, headers = {}, body, ...rest } = init;
  const out: Record<string, string> = { ...headers };
  if (token !== undefined) out["authorization"] = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    out["content-type"] ??= "application/json";
  }
  const res = await fetch(`${baseUrl}${path}`, {
    ...(rest as RequestInit),
    headers: out,
    ...(payload === undefined ? {} : { body: payload }),
  });
  return checkedResponse(rest.method ?? "GET", path, res);
}
