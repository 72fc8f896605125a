import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger';
import { APP_VERSION } from '../version';
import type { McpEndpoint, Resolver } from './resolver';

/** A server could not be reached, or did not answer in time. */
export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
  constructor(
    readonly endpoints: McpEndpoint[],
    cause: unknown,
  ) {
    super(
      `MCP server ${endpoints.map((e) => e.url).join(' and ')} unreachable: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
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
  /** Per server operation (connect, list, call). Default 30 s. */
  timeoutMs?: number;
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
  private toolsCache?: { key: string; expires: number; tools: AgentTool[]; unreachable: { server: string; error: string }[] };

  constructor(private readonly opts: ServersOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  list(): Promise<McpEndpoint[]> {
    return this.opts.resolver.resolve();
  }

  /** One operation on one server, over a fresh Streamable HTTP session (the servers are stateless). */
  private async withClient<T>(endpoint: McpEndpoint, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ name: 'mcp-on-aws-agent', version: APP_VERSION });
    const transport = new StreamableHTTPClientTransport(new URL(endpoint.url));
    try {
      await client.connect(transport, { timeout: this.timeoutMs });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new ServerUnreachableError([endpoint], err);
    }
    try {
      return await fn(client);
    } catch (err) {
      // The server answered with a JSON-RPC error: it is reachable, and the error is the answer.
      if (err instanceof McpError && err.code !== ErrorCode.RequestTimeout) throw err;
      throw new ServerUnreachableError([endpoint], err);
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  /** Every tool of every server, with the servers that offer it; servers that fail are listed apart. */
  async tools(): Promise<{ tools: AgentTool[]; unreachable: { server: string; error: string }[] }> {
    const endpoints = await this.list();
    const key = endpoints.map((e) => e.id).join(',');
    if (this.toolsCache && this.toolsCache.key === key && Date.now() < this.toolsCache.expires) return this.toolsCache;
    const byName = new Map<string, AgentTool>();
    const unreachable: { server: string; error: string }[] = [];
    const listed = await Promise.allSettled(
      endpoints.map((e) => this.withClient(e, async (c) => (await c.listTools(undefined, { timeout: this.timeoutMs })).tools)),
    );
    listed.forEach((outcome, i) => {
      const endpoint = endpoints[i]!;
      if (outcome.status === 'rejected') {
        unreachable.push({ server: endpoint.url, error: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason) });
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
   * one that does. A tool's own error comes back as its result (`isError: true`).
   */
  async callTool(name: string, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    const endpoints = await this.list();
    const { tools, unreachable } = await this.tools();
    const offering = tools.find((t) => t.name === name)?.servers ?? [];
    const candidates = shuffle(endpoints.filter((e) => offering.includes(e.id)));
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
        const result = await this.withClient(server, async (c) => {
          try {
            return (await c.callTool({ name, arguments: args }, undefined, { timeout: this.timeoutMs })) as CallToolResult;
          } catch (err) {
            if (err instanceof McpError && err.code !== ErrorCode.RequestTimeout) {
              return { isError: true, content: [{ type: 'text' as const, text: err.message }] };
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
        this.opts.resolver.invalidate();
        this.toolsCache = undefined;
      }
    }
    throw new ServerUnreachableError(failed, lastError);
  }
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
