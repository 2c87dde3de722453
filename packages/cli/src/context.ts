import { createFluxraClient, type FluxraClient } from "@fluxra/sdk";
import type { Command } from "commander";
import { configDir } from "./config/paths.js";
import { DEFAULT_PROFILE, type Profile, readCredentials } from "./config/store.js";
import { fileTokenStore } from "./config/token-cache.js";
import { CliError, UsageError } from "./output/errors.js";
import type { Io } from "./output/io.js";
import { Output } from "./output/output.js";

/** The production API. */
export const DEFAULT_BASE_URL = "https://chat.tryfluxra.com";

/** Options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  profile?: string;
  baseUrl?: string;
}

/** What one command run needs: where credentials live, which profile, the output, the clients. */
export class Context {
  readonly out: Output;
  readonly dir: string;
  readonly profileName: string;

  constructor(
    readonly io: Io,
    private readonly options: GlobalOptions,
  ) {
    this.out = new Output(io, options.json === true);
    this.dir = configDir({
      env: io.env,
      platform: process.platform,
      home: io.env["HOME"] ?? io.env["USERPROFILE"] ?? "",
    });
    this.profileName = options.profile ?? io.env["FLUXRA_PROFILE"] ?? DEFAULT_PROFILE;
  }

  /** The stored profile, if any. */
  async profile(): Promise<Profile | undefined> {
    return (await readCredentials(this.dir)).profiles[this.profileName];
  }

  /** `--base-url`, then `FLUXRA_BASE_URL`, then the profile's, then production. */
  async baseUrl(): Promise<string> {
    const url =
      this.options.baseUrl ??
      this.io.env["FLUXRA_BASE_URL"] ??
      (await this.profile())?.base_url ??
      DEFAULT_BASE_URL;
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new UsageError(`Invalid base URL ${JSON.stringify(url)}: expected http(s)://host`);
    }
    return url;
  }

  /** The base URL only when given explicitly (flag or env), to store in a profile. */
  explicitBaseUrl(): string | undefined {
    return this.options.baseUrl ?? this.io.env["FLUXRA_BASE_URL"];
  }

  /** A client without credentials (register, first api key). */
  async anonymous(): Promise<FluxraClient> {
    return createFluxraClient({ baseUrl: await this.baseUrl() });
  }

  /** A client for `apiKey`, its access token cached between runs. */
  async clientFor(apiKey: string): Promise<FluxraClient> {
    return createFluxraClient({
      baseUrl: await this.baseUrl(),
      apiKey,
      tokenStore: fileTokenStore(this.dir, this.profileName),
    });
  }

  /** The api key in use: `FLUXRA_API_KEY`, else the profile's. */
  async apiKey(): Promise<string | undefined> {
    return this.io.env["FLUXRA_API_KEY"] || (await this.profile())?.api_key;
  }

  /** A client with the profile's credentials. @throws {CliError} `not_logged_in` */
  async client(): Promise<FluxraClient> {
    await this.baseUrl(); // a bad URL is a usage error, whether or not logged in
    const apiKey = await this.apiKey();
    if (!apiKey) {
      throw new CliError(
        `Not logged in (profile "${this.profileName}"): run \`fluxra login\` or set FLUXRA_API_KEY`,
        "not_logged_in",
      );
    }
    return this.clientFor(apiKey);
  }
}

/** Builds the context of the command being run, from its options and its parents'. */
export const contextOf = (io: Io, command: Command): Context =>
  new Context(io, command.optsWithGlobals<GlobalOptions>());
