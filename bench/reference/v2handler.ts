// The MCP SDK's own minimal v2 server, as a yardstick for the benchmarks: `createMcpHandler` on its
// default posture (2026-07-28 requests served per request, 2025-era requests served stateless from the
// same factory) with the one tool of the SDK's `examples/stateless-legacy/server.ts`.
import { createMcpHandler, McpServer, type McpHttpHandler } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'stateless-legacy-example', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool(
    'greet',
    { description: 'A simple greeting tool', inputSchema: z.object({ name: z.string() }) },
    async ({ name }) => ({ content: [{ type: 'text', text: `Hello, ${name}!` }] }),
  );
  return server;
}

/** The reference's one tool and the arguments the benchmarks call it with. */
export const REFERENCE_TOOL = { name: 'greet', arguments: { name: 'bench' } } as const;

export function createReferenceHandler(): McpHttpHandler {
  return createMcpHandler(buildServer);
}
