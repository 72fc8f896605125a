// The synthetic check: what a client of each MCP server does, every few minutes, through the front door.
// It finds the servers as the agent does (Cloud Map, or a static list), gets a machine token where a
// server requires one, lists the server's tools, and calls one read-only tool: the one that publishes
// probe arguments (`mcp-on-aws/probe` in its `_meta`), else one that takes no arguments. Its results
// become one metric per server (SyntheticSuccess, SyntheticLatency) that an alarm watches.
import type { Tool } from '@modelcontextprotocol/client';
import { PROBE_META_KEY } from '../contract';
import type { McpServers } from '../agent/servers';
import type { McpEndpoint, Resolver } from '../agent/resolver';
import { prefixedName } from '../agent/toolNames';

export interface SyntheticResult {
  server: string;
  /** Listing worked, and the probe call (if any) returned a result that is not a tool error. */
  ok: boolean;
  /** From listing to the probe's answer, milliseconds. */
  latencyMs: number;
  /** The tool called. */
  tool?: string;
  /** Why it failed; or, when ok, that no tool could be probed. */
  error?: string;
  note?: string;
}

/** The tool of a server to probe, and its arguments: a read-only tool with probe arguments, else a read-only tool without required arguments. */
export function probeOf(tools: readonly (Tool & { tool: string })[]): { tool: string; exposed: string; args: Record<string, unknown> } | undefined {
  const readOnly = [...tools].filter((t) => t.annotations?.readOnlyHint === true).sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
  for (const t of readOnly) {
    const probe = t._meta?.[PROBE_META_KEY];
    if (probe && typeof probe === 'object' && !Array.isArray(probe)) return { tool: t.tool, exposed: t.name, args: probe as Record<string, unknown> };
  }
  const bare = readOnly.find((t) => !((t.inputSchema as { required?: unknown[] }).required ?? []).length);
  return bare ? { tool: bare.tool, exposed: bare.name, args: {} } : undefined;
}

/**
 * Only the endpoints a client outside the servers' network reaches: the front-door URLs, not the
 * tasks' private addresses (the check runs outside the VPC, and tests what clients get).
 */
export function frontDoorOnly(resolver: Resolver): Resolver {
  return {
    get source() {
      return resolver.source;
    },
    resolve: async () => (await resolver.resolve()).filter((e: McpEndpoint) => !e.direct),
    invalidate: () => resolver.invalidate(),
  };
}

/** Runs the check against every server `servers` finds; throws only when discovery itself fails. */
export async function runSyntheticCheck(servers: McpServers, clock: () => number = () => performance.now()): Promise<SyntheticResult[]> {
  const started = clock();
  const endpoints = await servers.list();
  const names = [...new Set(endpoints.map((e) => e.server))].sort();
  const { tools, unreachable } = await servers.tools();
  const listed = clock() - started;
  return Promise.all(
    names.map(async (server): Promise<SyntheticResult> => {
      const failed = unreachable.find((u) => u.server === server);
      if (failed) return { server, ok: false, latencyMs: listed, error: failed.error };
      const probe = probeOf(tools.filter((t) => t.server === server));
      if (!probe) return { server, ok: true, latencyMs: listed, note: 'no read-only tool to call: listed only' };
      const callStarted = clock();
      try {
        const { result } = await servers.callTool(prefixedName(server, probe.tool), probe.args);
        const latencyMs = listed + clock() - callStarted;
        if (result.isError) {
          const text = result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join(' ').slice(0, 300);
          return { server, ok: false, latencyMs, tool: probe.tool, error: `tool error: ${text}` };
        }
        return { server, ok: true, latencyMs, tool: probe.tool };
      } catch (err) {
        return { server, ok: false, latencyMs: listed + clock() - callStarted, tool: probe.tool, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}
