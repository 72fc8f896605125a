import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ClientRequestSchema, ErrorCode, isJSONRPCRequest, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator as jsonSchemaValidatorType } from '@modelcontextprotocol/sdk/validation/types.js';
import type { ServerDefinition } from './mcp/define';
import { capString } from './logger';
import { APP_NAME, APP_VERSION } from './version';

// One JSON Schema validator for every request's server (building an Ajv instance costs more than the
// rest of a stateless request), made on first use: only elicitation needs it, so cold starts skip it.
let ajv: AjvJsonSchemaValidator | undefined;
const jsonSchemaValidator: jsonSchemaValidatorType = {
  getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema),
};

/** The MCP server `name` (its folder under app/servers/): the tools, resources and prompts of its definition. */
export function createMcpServer(name: string, def: ServerDefinition): McpServer {
  const server = new McpServer({ name: `${APP_NAME}-${name}`, version: APP_VERSION }, { instructions: def.instructions, jsonSchemaValidator });
  for (const tool of def.tools) tool.register(server);
  for (const resource of def.resources ?? []) resource.register(server);
  for (const prompt of def.prompts ?? []) prompt.register(server);
  return server;
}

/** The SDK's schema of each request a client may send, by method. */
const REQUEST_SCHEMAS = new Map<string, { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }>(
  ClientRequestSchema.options.map((schema) => [schema.shape.method.value, schema]),
);

/**
 * What is wrong with a request's params, in one line, or undefined when they have the shape its
 * method requires (or the method is not one the SDK knows, which it answers itself).
 */
export function invalidParams(request: JSONRPCRequest): string | undefined {
  const result = REQUEST_SCHEMAS.get(request.method)?.safeParse(request);
  if (!result || result.success) return undefined;
  const problems = (result.error?.issues ?? []).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || 'params'}: ${issue.message}`;
  });
  return capString(`Invalid params for ${request.method}: ${problems.join('; ')}`, 300);
}

/**
 * Answers a request whose params do not have the shape its method requires with JSON-RPC -32602
 * (Invalid params) and a one-line message, before the SDK sees it: the SDK would answer -32603
 * (Internal error) with its validation errors as a multi-line JSON dump. Call after `server.connect(transport)`.
 */
export function refuseInvalidParams(transport: Transport): void {
  const deliver = transport.onmessage;
  if (!deliver) throw new Error('refuseInvalidParams: connect the server to the transport first');
  transport.onmessage = (message, extra) => {
    const problem = isJSONRPCRequest(message) ? invalidParams(message) : undefined;
    if (problem === undefined) return deliver(message, extra);
    void transport.send({ jsonrpc: '2.0', id: (message as JSONRPCRequest).id, error: { code: ErrorCode.InvalidParams, message: problem } });
  };
}
