import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type CallToolResult,
  type PriorDiscovery,
  type RequestOptions,
  type Tool,
} from '@modelcontextprotocol/client';
import type { Logger } from '../logger';
import type { AgentOutcome, ToolMetrics } from '../observability/metrics';
import { activeTracer, inClientSpan, metaCarrier } from '../observability/tracing';
import { APP_VERSION } from '../version';
import type { McpEndpoint, Resolver } from './resolver';
import { authProviderFor, type AgentAuth } from './token';
import { modelToolNames, prefixedName, SERVER_SEPARATOR, toolKey } from './toolNames';
import {
  assertDepth,
  boundedFetch,
  CallTimeoutError,
  DEFAULT_MAX_RESPONSE_BYTES,
  isUnreachable,
  isUpstreamFault,
  protocolErrorText,
  summarize,
  SummarizedFailures,
  UpstreamError,
} from './upstream';

/** A server could not be reached (network failure, or a gateway's 502-504). */
export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
  constructor(
    readonly endpoints: McpEndpoint[],
    cause: unknown,
  ) {
    super(`MCP server ${endpoints.map((e) => e.url).join(' and ')} unreachable: ${summarize(cause)}`, { cause });
  }
}

/** No discovered server offers the tool. */
export class ToolNotFoundError extends Error {
  override readonly name = 'ToolNotFoundError';
  constructor(readonly tool: string) {
    super(`No MCP server offers the tool "${tool}"`);
  }
}

/** A tool's own name that several servers offer: the caller must say which, by its exposed name. */
export class AmbiguousToolError extends Error {
  override readonly name = 'AmbiguousToolError';
  constructor(
    readonly tool: string,
    readonly names: string[],
  ) {
    super(`Several MCP servers offer the tool "${tool}": call it as ${names.join(' or ')}`);
  }
}

/** A tool of one server, as the agent exposes it. */
export interface AgentTool extends Tool {
  /** The name the agent exposes it by (to models, and on /tools/:name/call): see modelToolNames. */
  name: string;
  /** The server that offers it (every replica of that server does). */
  server: string;
  /** Its name on that server. */
  tool: string;
}

/** A server none of whose endpoints gave its tools. */
export interface UnreachableServer {
  server: string;
  error: string;
}

export interface ToolCallOutcome {
  /** The exposed name. */
  tool: string;
  server: string;
  endpoint: McpEndpoint;
  result: CallToolResult;
}

export interface ServersOptions {
  resolver: Resolver;
  /** Tokens for the servers that require them; undefined, none is sent. */
  auth?: AgentAuth;
  /** Per server operation (connect, list or call, reading and parsing the answer included). Default 30 s. */
  timeoutMs?: number;
  /** Largest response body read from a server. Default 4 MiB. */
  maxResponseBytes?: number;
  /** A number in [0, 1) that orders the endpoints of a server. Default Math.random. */
  random?: () => number;
  /** How long the servers' tool lists are used, and an endpoint that could not be reached is tried last. Default 30 s. */
  toolsTtlMs?: number;
  /**
   * How long the protocol revision an endpoint was found to speak is used before it is asked again.
   * Default 10 minutes: a server upgraded to 2026-07-28 is spoken to in it within that time.
   */
  eraTtlMs?: number;
  /** The clock, in milliseconds. Default Date.now. */
  now?: () => number;
  logger?: Logger;
  /** Where the calls it routes are counted (AgentToolCalls, by server and outcome). */
  metrics?: ToolMetrics;
}

/** The protocol revision an endpoint was found to speak, as the client adopts it on connect. */
export interface NegotiatedEra {
  era: 'modern' | 'legacy';
  /** The revision spoken: 2026-07-28 or later (modern), or a 2025 revision (legacy). */
  protocolVersion: string;
}

/** Endpoints tried per operation at the most: one, and another when the first cannot be reached. */
const ATTEMPTS = 2;

/**
 * The agent's view of the MCP servers: the tools of every server, and calls routed to an endpoint of the
 * server that offers a tool, with a timeout and one retry on another endpoint when the first cannot be reached.
 */
export class McpServers {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly random: () => number;
  private readonly ttlMs: number;
  private readonly eraTtlMs: number;
  private readonly now: () => number;
  private toolsCache?: { key: string; expires: number; tools: AgentTool[]; unreachable: UnreachableServer[] };
  /** Endpoints (by URL) that could not be reached lately, until when: tried after the others. */
  private readonly down = new Map<string, number>();
  /**
   * What each endpoint (by URL) was found to speak, until when: the next connection adopts it instead of
   * probing with server/discover (a 2025-only server would cost that extra request on every operation).
   */
  private readonly eras = new Map<string, { prior: PriorDiscovery; negotiated: NegotiatedEra; until: number }>();

  constructor(private readonly opts: ServersOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.random = opts.random ?? Math.random;
    this.ttlMs = opts.toolsTtlMs ?? 30_000;
    this.eraTtlMs = opts.eraTtlMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The protocol revision the agent speaks to the endpoint at `url`, if it has spoken to it lately. */
  negotiated(url: string): NegotiatedEra | undefined {
    const memo = this.eras.get(url);
    return memo && memo.until > this.now() ? memo.negotiated : undefined;
  }

  /** Remembers what the connected `client` speaks with the endpoint at `url`. */
  private remember(url: string, client: Client): void {
    const era = client.getProtocolEra();
    const protocolVersion = client.getNegotiatedProtocolVersion();
    if (!era || !protocolVersion) return;
    const discover = client.getDiscoverResult();
    const prior: PriorDiscovery | undefined = era === 'legacy' ? { kind: 'legacy' } : discover ? { kind: 'modern', discover } : undefined;
    if (!prior) return;
    this.eras.set(url, { prior, negotiated: { era, protocolVersion }, until: this.now() + this.eraTtlMs });
  }

  /** Where discovery comes from (see Resolver.source). */
  get source(): string {
    return this.opts.resolver.source;
  }

  list(): Promise<McpEndpoint[]> {
    return this.opts.resolver.resolve();
  }

  /**
   * One operation on one server, over a fresh Streamable HTTP connection (the servers are stateless),
   * within `timeoutMs` from connecting to the parsed answer and reading at most `maxResponseBytes`.
   * The client negotiates the protocol revision: 2026-07-28 with a server that offers it (asked with
   * server/discover), the 2025 initialize handshake otherwise; what an endpoint speaks is remembered
   * for `eraTtlMs`, so that later connections skip the probe. Fails with ServerUnreachableError
   * (network), CallTimeoutError, UpstreamError (a bad answer) or ProtocolError (the server's JSON-RPC
   * error); never with the server's raw error body.
   */
  private async withClient<T>(endpoint: McpEndpoint, fn: (client: Client, options: RequestOptions) => Promise<T>): Promise<T> {
    const stop = new AbortController();
    let failure: Error | undefined;
    let rejectFailed: (err: Error) => void = () => undefined;
    const failed = new Promise<never>((_resolve, reject) => (rejectFailed = reject));
    failed.catch(() => undefined);
    const fail = (err: Error) => {
      if (failure) return;
      failure = err;
      stop.abort(err);
      rejectFailed(err);
    };
    const timer = setTimeout(() => fail(new CallTimeoutError(endpoint, this.timeoutMs)), this.timeoutMs);
    // The SDK's own timeouts are a backstop; the timer above bounds the whole operation.
    const backstop = this.timeoutMs + 1000;
    const options: RequestOptions = { timeout: backstop, signal: stop.signal };
    const attempt = async (prior: PriorDiscovery | undefined): Promise<T> => {
      const client = new Client({ name: 'mcp-on-aws-agent', version: APP_VERSION }, { versionNegotiation: { mode: 'auto', probe: { timeoutMs: backstop } } });
      const authProvider = authProviderFor(this.opts.auth, endpoint);
      const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
        fetch: boundedFetch({ maxBytes: this.maxResponseBytes, signal: stop.signal, endpoint, onFailure: fail, traced: activeTracer() !== undefined }),
        ...(authProvider ? { authProvider } : {}),
      });
      try {
        await client.connect(transport, prior ? { ...options, prior } : options);
        if (!prior) this.remember(endpoint.url, client);
        return await fn(client, options);
      } finally {
        await client.close().catch(() => undefined);
      }
    };
    const prior = this.negotiated(endpoint.url) ? this.eras.get(endpoint.url)!.prior : undefined;
    try {
      return await Promise.race([
        attempt(prior).catch((err: unknown) => {
          // A server that refuses the remembered 2026-07-28 was redeployed without it: it ran nothing, so
          // the operation is made again, negotiating afresh (within the same timeout).
          if (prior?.kind !== 'modern' || failure || !refusesRevision(err)) throw err;
          this.eras.delete(endpoint.url);
          return attempt(undefined);
        }),
        failed,
      ]);
    } catch (err) {
      // Asked again next time: a server that failed may have been redeployed with another revision.
      this.eras.delete(endpoint.url);
      throw classify(endpoint, failure ?? err, this.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The order to try a server's endpoints in: reachable before lately unreachable, direct before URL, shuffled within. */
  private order(endpoints: McpEndpoint[]): McpEndpoint[] {
    const now = this.now();
    for (const [url, until] of this.down) if (until <= now) this.down.delete(url);
    const rank = (e: McpEndpoint) => (this.down.has(e.url) ? 2 : 0) + (e.direct ? 0 : 1);
    return [0, 1, 2, 3].flatMap((r) =>
      shuffle(
        endpoints.filter((e) => rank(e) === r),
        this.random,
      ),
    );
  }

  /**
   * `op` on an endpoint of a server, and once more on another if that one cannot be reached. Fails with
   * the first error that is not ServerUnreachableError, or a ServerUnreachableError naming every endpoint tried.
   */
  private async onServer<T>(endpoints: McpEndpoint[], what: string, op: (endpoint: McpEndpoint) => Promise<T>): Promise<{ endpoint: McpEndpoint; value: T }> {
    const failed: McpEndpoint[] = [];
    let lastError: unknown;
    for (const endpoint of this.order(endpoints).slice(0, ATTEMPTS)) {
      try {
        const value = await op(endpoint);
        this.down.delete(endpoint.url);
        return { endpoint, value };
      } catch (err) {
        if (!(err instanceof ServerUnreachableError)) throw err;
        this.opts.logger?.warn({ server: endpoint.url, ...(endpoint.server ? { name: endpoint.server } : {}), what, err: err.message }, 'MCP server unreachable');
        this.down.set(endpoint.url, this.now() + this.ttlMs);
        failed.push(endpoint);
        lastError = err.cause;
        // Ask discovery again: the endpoint may be gone.
        this.opts.resolver.invalidate();
      }
    }
    throw new ServerUnreachableError(failed, lastError);
  }

  /**
   * Every tool of every server, asked of one endpoint per server (another when it cannot be reached),
   * named for models by modelToolNames; servers that fail are listed apart. A complete answer is cached
   * for `toolsTtlMs`, and dropped as soon as an endpoint cannot be reached.
   */
  async tools(): Promise<{ tools: AgentTool[]; unreachable: UnreachableServer[] }> {
    const endpoints = await this.list();
    const key = JSON.stringify(endpoints.map((e) => [e.server, e.service, e.id, e.url]));
    if (this.toolsCache && this.toolsCache.key === key && this.now() < this.toolsCache.expires) return this.toolsCache;
    const byServer = new Map<string, McpEndpoint[]>();
    for (const e of endpoints) byServer.set(e.server, [...(byServer.get(e.server) ?? []), e]);
    const servers = [...byServer.keys()];
    const listed = await Promise.allSettled(
      servers.map((server) =>
        this.onServer(byServer.get(server)!, 'tools/list', (e) =>
          inClientSpan(activeTracer(), server, e.url, { method: 'tools/list' }, () =>
            this.withClient(e, async (c, options) => (await c.listTools(undefined, options)).tools),
          ).catch((err: unknown) => {
            // A JSON-RPC error answering tools/list: said with the endpoint it came from.
            throw err instanceof ProtocolError ? new UpstreamError(e, summarize(err)) : err;
          }),
        ),
      ),
    );
    const unreachable: UnreachableServer[] = [];
    const offered: { server: string; tool: Tool }[] = [];
    listed.forEach((outcome, i) => {
      const server = servers[i]!;
      if (outcome.status === 'rejected') {
        unreachable.push({ server, error: summaryOf(outcome.reason) });
        return;
      }
      const seen = new Set<string>();
      for (const tool of outcome.value.value) {
        if (seen.has(tool.name)) continue;
        seen.add(tool.name);
        offered.push({ server, tool });
      }
    });
    const names = modelToolNames(offered.map((o) => ({ server: o.server, tool: o.tool.name })));
    const tools = offered
      .map(({ server, tool }): AgentTool => ({ ...tool, name: names.get(toolKey(server, tool.name))!, server, tool: tool.name }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Only complete answers are cached, so that a server that comes back is seen at once.
    this.toolsCache = unreachable.length ? undefined : { key, expires: this.now() + this.ttlMs, tools, unreachable };
    return { tools, unreachable };
  }

  /**
   * The tool `name` stands for: an exposed name; `<server>__<tool>`; or a tool's own name that one
   * server alone offers.
   */
  private find(tools: AgentTool[], name: string): AgentTool | undefined {
    const exposed = tools.find((t) => t.name === name);
    if (exposed) return exposed;
    const prefixed = tools.find((t) => prefixedName(t.server, t.tool) === name || `${t.server}${SERVER_SEPARATOR}${t.tool}` === name);
    if (prefixed) return prefixed;
    const own = tools.filter((t) => t.tool === name);
    if (own.length > 1) throw new AmbiguousToolError(name, own.map((t) => t.name));
    return own[0];
  }

  /**
   * Calls the tool `name` (see find) on an endpoint of the server that offers it; if that endpoint cannot
   * be reached, once more on another of the same server. A tool's own error comes back as its result
   * (`isError: true`), and so does a JSON-RPC error, summarized. Only an unreachable endpoint drops the
   * discovery and tools caches.
   */
  async callTool(name: string, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    assertDepth(args);
    const { tools, unreachable } = await this.tools();
    const endpoints = await this.list();
    const tool = this.find(tools, name);
    if (!tool) {
      // A server that could not be asked may be the one that has it: that is a 502, not a 404.
      if (unreachable.length) {
        throw new ServerUnreachableError(
          endpoints.filter((e) => unreachable.some((u) => u.server === e.server)),
          new SummarizedFailures(unreachable.map((u) => u.error).join('; ')),
        );
      }
      throw new ToolNotFoundError(name);
    }
    const started = performance.now();
    const counted = (outcome: AgentOutcome) => this.opts.metrics?.agentCall?.(tool.server, outcome, performance.now() - started);
    const tracer = activeTracer();
    try {
      const { endpoint, value: result } = await this.onServer(
        endpoints.filter((e) => e.server === tool.server),
        'tools/call',
        (e) =>
          inClientSpan(
            tracer,
            tool.server,
            e.url,
            { method: 'tools/call', target: tool.tool, toolName: tool.tool },
            () =>
              this.withClient(e, async (c, options) => {
                try {
                  // The listed definition lets a 2026-07-28 call carry the tool's Mcp-Param-* headers without listing again.
                  // The call's trace context goes in its _meta (as the MCP conventions say) as well as in its headers.
                  const params = { name: tool.tool, arguments: args, ...(tracer ? { _meta: metaCarrier() } : {}) };
                  return (await c.callTool(params, { ...options, toolDefinition: { ...tool, name: tool.tool } })) as CallToolResult;
                } catch (err) {
                  // A refused revision is not the tool's error: see withClient.
                  if (err instanceof ProtocolError && err.code !== ProtocolErrorCode.UnsupportedProtocolVersion) {
                    return { isError: true, content: [{ type: 'text' as const, text: protocolErrorText(err) }] };
                  }
                  throw err;
                }
              }),
            (result) => ({ toolError: result.isError === true }),
          ),
      );
      counted(result.isError === true ? 'tool_error' : 'ok');
      return { tool: tool.name, server: tool.server, endpoint, result };
    } catch (err) {
      counted(err instanceof ServerUnreachableError ? 'unreachable' : err instanceof CallTimeoutError ? 'timeout' : 'upstream_error');
      if (err instanceof ServerUnreachableError) this.toolsCache = undefined;
      throw err;
    }
  }
}

/** The error a failed operation on `endpoint` surfaces as (see withClient). */
function classify(endpoint: McpEndpoint, err: unknown, timeoutMs: number): unknown {
  if (err instanceof ServerUnreachableError || err instanceof UpstreamError || err instanceof CallTimeoutError) return err;
  if (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout) return new CallTimeoutError(endpoint, timeoutMs);
  if (isUnreachable(err)) return new ServerUnreachableError([endpoint], err);
  if (err instanceof ProtocolError) return err.code === ProtocolErrorCode.UnsupportedProtocolVersion ? new UpstreamError(endpoint, summarize(err)) : err;
  if (isUpstreamFault(err)) return new UpstreamError(endpoint, summarize(err));
  // The agent's own failure: not the server's, so it is neither retried nor blamed on it.
  return err;
}

/** Whether `err` is a server refusing the protocol revision of a request (HTTP 400, or JSON-RPC -32022): nothing ran. */
function refusesRevision(err: unknown): boolean {
  return (err instanceof SdkHttpError && err.status === 400) || (err instanceof ProtocolError && err.code === ProtocolErrorCode.UnsupportedProtocolVersion);
}

/** One line on a server that failed, for GET /tools. */
function summaryOf(err: unknown): string {
  return err instanceof Error && !(err instanceof ProtocolError) ? err.message : summarize(err);
}

/** A shuffled copy of `items` (Fisher-Yates), with `random` giving numbers in [0, 1). */
export function shuffle<T>(items: T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
