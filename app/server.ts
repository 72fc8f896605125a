import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ClientRequestSchema, ErrorCode, isJSONRPCRequest, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator as jsonSchemaValidatorType } from '@modelcontextprotocol/sdk/validation/types.js';
import { z } from 'zod';
import { PRICES } from './cost/prices';
import { capString } from './logger';
import { tools } from './tools';
import { APP_NAME, APP_VERSION } from './version';

export const PRICES_URI = 'mcp-on-aws://prices/us-east-1';
const PRICES_JSON = JSON.stringify(PRICES, null, 2);
// One JSON Schema validator for every request's server (building an Ajv instance costs more than the
// rest of a stateless request), made on first use: only elicitation needs it, so cold starts skip it.
let ajv: AjvJsonSchemaValidator | undefined;
const jsonSchemaValidator: jsonSchemaValidatorType = {
  getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema),
};
const CHOOSE_TARGET_ARGS = {
  workload: z.string().describe('The workload: traffic, request duration, payloads, latency and team constraints'),
  budgetUsd: z.string().optional().describe('Monthly budget in USD, if any'),
};

/** The MCP server: its tools, the price table resource and the `choose_target` prompt. */
export function createMcpServer(): McpServer {
  const server = new McpServer(
    { name: APP_NAME, version: APP_VERSION },
    {
      instructions: 'Tools to estimate what hosting an MCP server on AWS costs, and to measure text.',
      jsonSchemaValidator,
    },
  );
  for (const tool of tools) tool.register(server);

  server.registerResource(
    'aws-prices',
    PRICES_URI,
    {
      title: 'AWS prices used by estimate_hosting_cost',
      description: `us-east-1 list prices (USD) as of ${PRICES.asOf}, with the AWS page each comes from.`,
      mimeType: 'application/json',
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: PRICES_JSON }] }),
  );

  server.registerPrompt(
    'choose_target',
    {
      title: 'Choose an AWS target',
      description: 'Asks the model to pick Lambda, Fargate or EKS for a described workload, using estimate_hosting_cost.',
      argsSchema: CHOOSE_TARGET_ARGS,
    },
    ({ workload, budgetUsd }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              'Choose where to host an MCP server on AWS: "lambda" (Lambda + API Gateway HTTP API),',
              '"fargate" (ECS Fargate behind an HTTPS load balancer) or "eks" (EKS Auto Mode).',
              '',
              `Workload: ${workload}`,
              ...(budgetUsd ? [`Monthly budget: ${budgetUsd} USD`] : []),
              '',
              'Call the estimate_hosting_cost tool with figures that match the workload, then answer with:',
              '1. the target you recommend, 2. its monthly cost and the cost of the others,',
              '3. the limits that matter (HTTP API caps a request at 30 s; Lambda cold starts; the fixed cost of',
              'a load balancer, NAT gateway and EKS control plane), and 4. what would change your choice.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
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
