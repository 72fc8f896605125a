import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger';
import { APP_VERSION } from '../version';
import type { McpEndpoint, Resolver } from './resolver';
import {
  assertDepth,
  boundedFetch,
  CallTimeoutError,
  DEFAULT_MAX_RESPONSE_BYTES,
  isUnreachable,
  sanitizeMessage,
  summarize,
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

export interface AgentTool extends Tool {
  /** Ids of the servers that offer it. */
  servers: string[];
}

export interface ToolCallOutcome {
  tool: string;
  server: McpEndpoint;
  result: CallToolResult;
}

export interface ServersOptions {
  resolver: Resolver;
  /** Per server operation (connect, list or call, reading and parsing the answer included). Default 30 s. */
  timeoutMs?: number;
  /** Largest response body read from a server. Default 4 MiB. */
  maxResponseBytes?: number;
  /** A number in [0, 1) that orders the servers offering a tool. Default Math.random. */
  random?: () => number;
  /** How long a server's tool list is used. Default 30 s. */
  toolsTtlMs?: number;
  logger?: Logger;
}

/**
 * The agent's view of the MCP servers: what they offer, and calls routed to one that offers a tool,
 * with a timeout and one retry on another instance when the first cannot be reached.
 */
export class McpServers {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly random: () => number;
  private toolsCache?: { key: string; expires: number; tools: AgentTool[]; unreachable: { server: string; error: string }[] };

  constructor(private readonly opts: ServersOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.random = opts.random ?? Math.random;
  }

  list(): Promise<McpEndpoint[]> {
    return this.opts.resolver.resolve();
  }

  /**
   * One operation on one server, over a fresh Streamable HTTP session (the servers are stateless),
   * within `timeoutMs` from connecting to the parsed answer and reading at most `maxResponseBytes`.
   * Fails with ServerUnreachableError (network), CallTimeoutError, UpstreamError (a bad answer) or
   * McpError (the server's JSON-RPC error); never with the server's raw error body.
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
    const client = new Client({ name: 'mcp-on-aws-agent', version: APP_VERSION });
    const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
      fetch: boundedFetch({ maxBytes: this.maxResponseBytes, signal: stop.signal, endpoint, onFailure: fail }),
    });
    // The SDK's own timeout is a backstop; the timer above bounds the whole operation.
    const options: RequestOptions = { timeout: this.timeoutMs + 1000, signal: stop.signal };
    try {
      return await Promise.race([
        (async () => {
          await client.connect(transport, options);
          return fn(client, options);
        })(),
        failed,
      ]);
    } catch (err) {
      throw classify(endpoint, failure ?? err, this.timeoutMs);
    } finally {
      clearTimeout(timer);
      await client.close().catch(() => undefined);
    }
  }

  /**
   * Every tool of every server, with the servers that offer it; servers that fail are listed apart.
   * A complete answer is cached for `toolsTtlMs`, and dropped as soon as a server cannot be reached.
   */
  async tools(): Promise<{ tools: AgentTool[]; unreachable: { server: string; error: string }[] }> {
    const endpoints = await this.list();
    const key = endpoints.map((e) => e.id).join(',');
    if (this.toolsCache && this.toolsCache.key === key && Date.now() < this.toolsCache.expires) return this.toolsCache;
    const byName = new Map<string, AgentTool>();
    const unreachable: { server: string; error: string }[] = [];
    const listed = await Promise.allSettled(
      endpoints.map((e) => this.withClient(e, async (c, options) => (await c.listTools(undefined, options)).tools)),
    );
    listed.forEach((outcome, i) => {
      const endpoint = endpoints[i]!;
      if (outcome.status === 'rejected') {
        unreachable.push({ server: endpoint.url, error: summaryOf(endpoint, outcome.reason) });
        return;
      }
      for (const tool of outcome.value) {
        const known = byName.get(tool.name);
        if (known) known.servers.push(endpoint.id);
        else byName.set(tool.name, { ...tool, servers: [endpoint.id] });
      }
    });
    const tools = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    // Only complete answers are cached, so that a server that comes back is seen at once.
    this.toolsCache = unreachable.length ? undefined : { key, expires: Date.now() + (this.opts.toolsTtlMs ?? 30_000), tools, unreachable };
    return { tools, unreachable };
  }

  /**
   * Calls `name` on a server that offers it; if that server cannot be reached, once more on another
   * one that does. A tool's own error comes back as its result (`isError: true`), and so does a
   * JSON-RPC error, summarized. Only an unreachable server drops the discovery and tools caches.
   */
  async callTool(name: string, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    assertDepth(args);
    const endpoints = await this.list();
    const { tools, unreachable } = await this.tools();
    const offering = tools.find((t) => t.name === name)?.servers ?? [];
    const candidates = shuffle(
      endpoints.filter((e) => offering.includes(e.id)),
      this.random,
    );
    if (candidates.length === 0) {
      // A server that could not be asked may be the one that has it: that is a 502, not a 404.
      if (unreachable.length) {
        throw new ServerUnreachableError(
          endpoints.filter((e) => unreachable.some((u) => u.server === e.url)),
          new Error(unreachable.map((u) => u.error).join('; ')),
        );
      }
      throw new ToolNotFoundError(name);
    }
    const failed: McpEndpoint[] = [];
    let lastError: unknown;
    for (const server of candidates.slice(0, 2)) {
      try {
        const result = await this.withClient(server, async (c, options) => {
          try {
            return (await c.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
          } catch (err) {
            if (err instanceof McpError && !isUnreachable(err) && err.code !== ErrorCode.RequestTimeout) {
              return { isError: true, content: [{ type: 'text' as const, text: sanitizeMessage(err.message) }] };
            }
            throw err;
          }
        });
        return { tool: name, server, result };
      } catch (err) {
        if (!(err instanceof ServerUnreachableError)) throw err;
        this.opts.logger?.warn({ server: server.url, tool: name, err: err.message }, 'MCP server unreachable');
        failed.push(server);
        lastError = err.cause;
        this.forget();
      }
    }
    throw new ServerUnreachableError(failed, lastError);
  }

  /** A server did not answer: ask discovery again, and the servers for their tools. */
  private forget(): void {
    this.opts.resolver.invalidate();
    this.toolsCache = undefined;
  }
}

/** The error a failed operation on `endpoint` surfaces as (see withClient). */
function classify(endpoint: McpEndpoint, err: unknown, timeoutMs: number): unknown {
  if (err instanceof ServerUnreachableError || err instanceof UpstreamError || err instanceof CallTimeoutError) return err;
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) return new CallTimeoutError(endpoint, timeoutMs);
  if (isUnreachable(err)) return new ServerUnreachableError([endpoint], err);
  if (err instanceof McpError) return err;
  if (err instanceof StreamableHTTPError || err instanceof SyntaxError || (err instanceof Error && err.name === 'ZodError')) {
    return new UpstreamError(endpoint, summarize(err));
  }
  // The agent's own failure: not the server's, so it is neither retried nor blamed on it.
  return err;
}

/** One line on a server that failed, for GET /tools. */
function summaryOf(endpoint: McpEndpoint, err: unknown): string {
  return err instanceof Error && !(err instanceof McpError) ? err.message : `MCP server ${endpoint.url}: ${summarize(err)}`;
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
