// The MCP endpoint of one server, for both protocol generations: 2026-07-28 (no session, no
// initialize; protocol version and client capabilities in each request's _meta) and the 2025 revisions
// (2025-11-25, 2025-06-18, 2025-03-26: initialize, then stateless requests).
import {
  classifyInboundRequest,
  createMcpHandler,
  isJSONRPCRequest,
  isLegacyRequest,
  WebStandardStreamableHTTPServerTransport,
  type JSONRPCErrorResponse,
  type McpHandlerRequestOptions,
  type McpServer,
  type ServerEventBus,
} from '@modelcontextprotocol/server';
import { RPC } from './jsonrpc';
import { invalidParams } from './server';

/**
 * How POST /mcp answers a 2025-era request: `json` (one application/json body; for buffering gateways
 * such as API Gateway HTTP API) or `sse` (a text/event-stream; for containers and streaming Function
 * URLs). A 2026-07-28 request gets the SDK's `auto` mode in both: JSON, unless the call sends progress
 * or log notifications before its result, then a text/event-stream (which a buffering gateway delivers
 * whole), so that an error the call ends with keeps its HTTP status (400 for a missing client
 * capability); `subscriptions/listen` streams, and is refused in `json` mode.
 */
export type ResponseMode = 'json' | 'sse';

/** A fetch-shaped MCP endpoint (what `toNodeHandler` from @modelcontextprotocol/node serves). */
export interface McpEndpoint {
  fetch(request: Request, options?: McpHandlerRequestOptions): Promise<Response>;
  close(): Promise<void>;
}

const LISTEN_NEEDS_STREAM =
  'Method not found: subscriptions/listen needs a streaming response, and this endpoint answers JSON (use the streaming Function URL or a container target)';

/**
 * The endpoint of the server `newServer` makes, a fresh one per request (`changes`: whether it may
 * advertise list changes and subscriptions); `bus` carries the changes its definition publishes to
 * `subscriptions/listen` streams. In `sse` mode the SDK's handler serves
 * both generations. In `json` mode the SDK's handler would stream 2025-era answers, so a 2025-era
 * request is served here by a per-request transport that answers JSON, and only 2026-07-28 requests
 * go to the SDK's handler (which then refuses no legacy request itself).
 */
export function mcpEndpoint(
  newServer: (options: { changes: boolean }) => McpServer,
  responseMode: ResponseMode,
  onerror: (error: Error) => void,
  bus?: ServerEventBus,
): McpEndpoint {
  const shared = { responseMode: 'auto', onerror, ...(bus ? { bus } : {}) } as const;
  if (responseMode === 'sse') return createMcpHandler(() => newServer({ changes: true }), { legacy: 'stateless', ...shared });
  // A 2026-07-28 client learns of changes only on subscriptions/listen, which is refused below.
  const modern = createMcpHandler(() => newServer({ changes: false }), { legacy: 'reject', ...shared });
  return {
    async fetch(request, options = {}) {
      if (await isLegacyRequest(request, options.parsedBody)) return legacyJson(() => newServer({ changes: true }), request, options);
      const body = options.parsedBody as { id?: unknown; method?: unknown } | undefined;
      if (body?.method === 'subscriptions/listen') {
        // Its answer is a stream that lasts as long as the client wants: a buffering gateway (API
        // Gateway HTTP API) would hold the invocation until its timeout and answer 504.
        return Response.json(
          { jsonrpc: '2.0', id: body.id ?? null, error: { code: RPC.METHOD_NOT_FOUND, message: LISTEN_NEEDS_STREAM } },
          { status: 404 },
        );
      }
      // Everything else, including what the classifier refuses, is the SDK's to answer (-32020, -32022, ...).
      return modern.fetch(request, options);
    },
    close: () => modern.close(),
  };
}

/** A 2025-era POST (the app answers other methods 405 before this), answered with one application/json body by a server of its own. */
async function legacyJson(newServer: () => McpServer, request: Request, options: McpHandlerRequestOptions): Promise<Response> {
  const server = newServer();
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  try {
    await server.connect(transport);
    return await transport.handleRequest(request, options);
  } finally {
    // The JSON body is complete once the response is: nothing more is sent on this transport.
    void transport.close().catch(() => {});
    void server.close().catch(() => {});
  }
}

/**
 * Methods of one generation only (SEP-2575 removed the first from 2026-07-28; the second are new in
 * it): sent in the other, the SDK answers them 404 with -32601 whatever their params, so they are not
 * checked here.
 */
const NOT_IN = {
  modern: new Set(['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']),
  legacy: new Set(['server/discover', 'subscriptions/listen']),
};

/**
 * What to answer a request whose params do not have the shape its method requires: JSON-RPC -32602
 * (Invalid params) with a one-line message, before the SDK sees it, since the SDK would answer -32603
 * (Internal error) with its validation errors as a multi-line JSON dump. Both generations; undefined
 * for a request the SDK refuses for another reason (headers that disagree with the body, an
 * unsupported version, ...), so that it answers with its own error. `body`: the parsed body;
 * `header(name)`: a request header by lower-case name.
 */
export function invalidParamsAnswer(
  httpMethod: string,
  header: (name: string) => string | undefined,
  body: unknown,
): JSONRPCErrorResponse | undefined {
  if (!isJSONRPCRequest(body)) return undefined;
  const route = classifyInboundRequest({
    httpMethod,
    protocolVersionHeader: header('mcp-protocol-version'),
    mcpMethodHeader: header('mcp-method'),
    mcpNameHeader: header('mcp-name'),
    body,
  });
  if (route.kind === 'reject' || NOT_IN[route.kind].has(body.method)) return undefined;
  const problem = invalidParams(body);
  if (problem === undefined) return undefined;
  return { jsonrpc: '2.0', id: body.id, error: { code: RPC.INVALID_PARAMS, message: problem } };
}
