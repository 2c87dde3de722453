import { describe, expect, it } from "vitest";
import { parseArgs } from "./cli-args.js";

describe("parseArgs", () => {
  it("reads every option, in both --flag value and --flag=value forms", () => {
    expect(
      parseArgs([
        "--base-url=http://127.0.0.1:8787",
        "--only",
        "auth,chat",
        "--reporter",
        "json",
        "--json-report",
        "r.json",
      ]),
    ).toEqual({
      baseUrl: "http://127.0.0.1:8787",
      only: ["auth", "chat"],
      reporter: "json",
      jsonReport: "r.json",
      help: false,
    });
  });

  it("takes the base URL from FLUXRA_BASE_URL when the flag is absent", () => {
    expect(parseArgs([], { FLUXRA_BASE_URL: "https://chat.example" }).baseUrl).toBe(
      "https://chat.example",
    );
  });

  it("refuses a missing or non-http base URL, unknown domains, reporters and options", () => {
    expect(() => parseArgs([])).toThrow(/--base-url is required/);
    expect(() => parseArgs(["--base-url", "ftp://x"])).toThrow(/http/);
    expect(() => parseArgs(["--base-url", "http://x", "--only", "auth,payments"])).toThrow(
      /unknown domain "payments"/,
    );
    expect(() => parseArgs(["--base-url", "http://x", "--reporter", "xml"])).toThrow(
      /unknown reporter/,
    );
    expect(() => parseArgs(["--base-url", "http://x", "--verbose"])).toThrow(/unknown option/);
    expect(() => parseArgs(["--base-url"])).toThrow(/needs a value/);
  });

  it("needs no base URL for --help", () => {
    expect(parseArgs(["-h"]).help).toBe(true);
  });
});
