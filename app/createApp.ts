import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type Express } from 'express';
import { cors } from './cors';
import { bodyErrors, internalError, nodeDecidesConnection, originGuard, requestLog } from './http';
import { RPC, sendRpcError } from './jsonrpc';
import { createLogger, type Logger } from './logger';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import { createMcpServer, refuseInvalidParams } from './server';

export { DEFAULT_MAX_BODY_BYTES, isLoopback, LOOPBACK_HOSTS } from './limits';

export type ResponseMode = 'json' | 'sse';

export interface AppOptions {
  /**
   * How POST /mcp answers: `json` (one application/json body; for buffering gateways such as
   * API Gateway HTTP API) or `sse` (a text/event-stream; for containers). Default `sse`.
   */
  responseMode?: ResponseMode;
  /**
   * Hostnames (no port) that /mcp accepts in the Host header, e.g. ['mcp.example.com'].
   * Undefined: any Host. Use LOOPBACK_HOSTS for a server bound to loopback.
   */
  allowedHosts?: readonly string[];
  /** Origins (scheme://host[:port]) allowed besides same-origin requests and origins on an allowed host. */
  allowedOrigins?: readonly string[];
  /**
   * Serve CORS for `allowedOrigins` (preflights, Access-Control-* headers). Default true; off on
   * Lambda, where API Gateway and the Function URL answer CORS with the same lists (app/cors.ts).
   */
  cors?: boolean;
  /** Largest request body accepted on /mcp, bytes. Default DEFAULT_MAX_BODY_BYTES (2.5 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
  /** Set once the process is shutting down: /healthz answers 503 and connections are not kept alive. */
  isDraining?: () => boolean;
}


interface RpcSummary {
  rpcMethod?: string;
  tool?: string;
}

/** The JSON-RPC method and tool name of a parsed body, for the request log line. */
function summarize(body: unknown): RpcSummary {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  if (!first || typeof first !== 'object') return {};
  const msg = first as { method?: unknown; params?: { name?: unknown } };
  const rpcMethod = typeof msg.method === 'string' ? msg.method : undefined;
  const tool = rpcMethod === 'tools/call' && typeof msg.params?.name === 'string' ? msg.params.name : undefined;
  return { rpcMethod, tool };
}

/** The Express app every target serves: POST /mcp (stateless Streamable HTTP) and GET /healthz. */
export function createApp(options: AppOptions = {}): Express {
  const logger = options.logger ?? createLogger('mcp-server');
  const enableJsonResponse = (options.responseMode ?? 'sse') === 'json';
  const isDraining = options.isDraining ?? (() => false);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestLog(logger, summarize, isDraining));
  const allowedOrigins = options.allowedOrigins ?? [];
  if ((options.cors ?? true) && allowedOrigins.length) app.use(cors(allowedOrigins));

  // Liveness: answered before any Host check, since load balancers probe by IP address.
  app.get('/healthz', (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    res.json({ status: 'ok' });
  });

  app.use('/mcp', originGuard(options.allowedHosts, allowedOrigins));
  app.post('/mcp', nodeDecidesConnection, express.json({ limit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }), async (req, res) => {
    const server = createMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      refuseInvalidParams(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      logger.error({ err }, 'MCP request failed');
      if (!res.headersSent) sendRpcError(res, 500, RPC.INTERNAL_ERROR, 'Internal error');
    }
  });
  // Stateless server: no standalone SSE stream (GET) and no session to delete (DELETE).
  app.all('/mcp', (_req, res) => {
    res.setHeader('Allow', 'POST');
    sendRpcError(res, 405, RPC.SERVER_ERROR, 'Method not allowed: this stateless server accepts POST only');
  });
  app.use(bodyErrors);
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found: the MCP endpoint is POST /mcp' });
  });
  app.use(internalError(logger));
  return app;
}
