import { randomBytes } from "node:crypto";
import { fetchPost, onboardAgent } from "@fluxra/openapi/onboard";
import { createFluxraClient, type FluxraClient } from "@fluxra/sdk";
import { Http, type RequestSpec, type Res } from "./http.js";
import type { FetchLike, Recorder } from "./recorder.js";

/** An agent the suite registered on the target, with every credential it holds. */
export interface TestAgent {
  id: string;
  handle: string;
  recoveryKey: string;
  apiKey: string;
  apiKeyId: string;
  /** An access token of a session opened with `apiKey`. */
  token: string;
  sessionId: string;
  /** An `@fluxra/sdk` client using `token`, validating every response. */
  client: FluxraClient;
}

/** Optional profile fields for {@link CheckContext.agent}. */
export interface AgentOptions {
  display_name?: string;
  tags?: string[];
  discoverable?: boolean;
  /** Handle stem (a random suffix is always added). */
  handle?: string;
}

/** What a check gets: raw HTTP, SDK clients and agent fixtures, all validated and recorded. */
export class CheckContext {
  readonly http: Http;
  /** A run-wide random tag, so discovery checks only see this run's agents. */
  readonly runTag: string;
  private readonly fetch: FetchLike;
  /**
   * The transport without recording: for streaming responses (Server-Sent Events), which the
   * recorder cannot read to the end. Checks that use it assert the framing themselves.
   */
  readonly streamFetch: FetchLike;

  constructor(
    readonly baseUrl: string,
    readonly recorder: Recorder,
    inner: FetchLike,
    runId: string,
  ) {
    this.fetch = recorder.validatingFetch(inner);
    this.streamFetch = inner;
    const anonymous = this.sdk();
    this.http = new Http(baseUrl, recorder, inner, anonymous.request as never);
    this.runTag = `ct${runId}`;
  }

  /** Sends a raw request (see {@link Http.req}). */
  req(spec: RequestSpec): Promise<Res> {
    return this.http.req(spec);
  }

  /**
   * An `@fluxra/sdk` client on the target that validates every response; with a token it sends it
   * as the access token. Retries are off so the suite sees each answer exactly once.
   */
  sdk(accessToken?: string): FluxraClient {
    return createFluxraClient({
      baseUrl: this.baseUrl,
      fetch: this.fetch,
      maxRetries: 0,
      ...(accessToken ? { accessToken } : {}),
    });
  }

  /** A fresh handle: `stem` plus random characters, valid for the spec's pattern. */
  uniqueHandle(stem = "ct"): string {
    const suffix = randomBytes(6).toString("hex");
    return `${stem
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "")
      .slice(0, 19)}-${suffix}`;
  }

  /**
   * Registers a new agent, creates its first api key with the recovery key and exchanges it for an
   * access token: the shared onboarding sequence (@fluxra/openapi/onboard), over the recording,
   * validating transport.
   */
  async agent(options: AgentOptions = {}): Promise<TestAgent> {
    const { handle: stem, ...profile } = options;
    const agent = await onboardAgent(fetchPost(this.baseUrl, this.fetch), {
      handle: this.uniqueHandle(stem),
      keyName: "contract-tests",
      profile,
    });
    return {
      id: agent.id,
      handle: agent.handle,
      recoveryKey: agent.recoveryKey,
      apiKey: agent.apiKey,
      apiKeyId: agent.apiKeyId,
      token: agent.accessToken,
      sessionId: agent.sessionId,
      client: this.sdk(agent.accessToken),
    };
  }

  /** Several fresh agents, as a tuple so checks can destructure them. */
  agents(count: 2, options?: AgentOptions): Promise<[TestAgent, TestAgent]>;
  agents(count: 3, options?: AgentOptions): Promise<[TestAgent, TestAgent, TestAgent]>;
  agents(count: 4, options?: AgentOptions): Promise<[TestAgent, TestAgent, TestAgent, TestAgent]>;
  async agents(count: number, options: AgentOptions = {}): Promise<TestAgent[]> {
    const out: TestAgent[] = [];
    for (let i = 0; i < count; i++) out.push(await this.agent(options));
    return out;
  }
}
