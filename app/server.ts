import { McpServer, specTypeSchemas, type JSONRPCRequest } from '@modelcontextprotocol/server';
import type { ServerDefinition } from './mcp/define';
import { capString } from './logger';
import { APP_NAME, APP_VERSION } from './version';

/**
 * The MCP server `name` (its folder under app/servers/): the tools, resources and prompts of its
 * definition. One is made for every request, whatever the protocol revision the request speaks.
 */
export function createMcpServer(name: string, def: ServerDefinition): McpServer {
  const server = new McpServer({ name: `${APP_NAME}-${name}`, version: APP_VERSION }, { instructions: def.instructions });
  for (const tool of def.tools) tool.register(server);
  for (const resource of def.resources ?? []) resource.register(server);
  for (const prompt of def.prompts ?? []) prompt.register(server);
  return server;
}

type RequestSchema = {
  shape: { method: { value: string } };
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
};

/** The SDK's schema of each request a client may send (2025 and 2026-07-28 methods), by method. */
const REQUEST_SCHEMAS = new Map<string, RequestSchema>(
  (specTypeSchemas.ClientRequest as unknown as { options: RequestSchema[] }).options.map((schema) => [schema.shape.method.value, schema]),
);

/**
 * What is wrong with a request's params, in one line, or undefined when they have the shape its
 * method requires (or the method is not one the SDK knows, which it answers itself).
 */
export function invalidParams(request: Pick<JSONRPCRequest, 'method' | 'params'>): string | undefined {
  const result = REQUEST_SCHEMAS.get(request.method)?.safeParse({ method: request.method, params: request.params });
  if (!result || result.success) return undefined;
  const problems = (result.error?.issues ?? []).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || 'params'}: ${issue.message}`;
  });
  return capString(`Invalid params for ${request.method}: ${problems.join('; ')}`, 300);
}
