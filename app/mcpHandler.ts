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
} from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import { RPC } from './jsonrpc';
import { invalidParams } from './server';

/**
 * How POST /mcp answers: `json` (for buffering gateways such as API Gateway HTTP API: one
 * application/json body, except for a 2026-07-28 call that sends progress or log notifications
 * before its result, answered with a text/event-stream body the gateway buffers whole) or `sse` (a
 * text/event-stream; for containers and streaming Function URLs).
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
 * The endpoint of the server `newServer` makes, a fresh one per request. In `sse` mode the SDK's
 * handler serves both generations with a stream. In `json` mode the SDK's handler would stream
 * 2025-era answers too, so a 2025-era request is served here by a per-request transport that answers
 * JSON, and only 2026-07-28 requests go to the SDK's handler (which then refuses no legacy request
 * itself), in its `auto` mode: JSON, unless the call sends progress or log notifications before its
 * result, which then reach the client in an SSE body (buffered whole by API Gateway, but delivered).
 */
export function mcpEndpoint(newServer: () => McpServer, responseMode: ResponseMode, onerror: (error: Error) => void): McpEndpoint {
  const factory = () => newServer();
  if (responseMode === 'sse') return createMcpHandler(factory, { legacy: 'stateless', responseMode: 'sse', onerror });
  const modern = createMcpHandler(factory, { legacy: 'reject', responseMode: 'auto', onerror });
  return {
    async fetch(request, options = {}) {
      if (await isLegacyRequest(request, options.parsedBody)) return legacyJson(newServer, request, options);
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

/** `invalidParamsAnswer` as Express middleware (after the body is parsed): answered 200, as the SDK answers JSON-RPC errors. */
export const refuseInvalidParams: RequestHandler = (req, res, next) => {
  const answer = invalidParamsAnswer(
    req.method,
    (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    req.body,
  );
  if (answer === undefined) return next();
  res.status(200).json(answer);
};
