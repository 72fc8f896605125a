import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import express, { type Express, type RequestHandler } from 'express';
import { HEALTH_PATH, MCP_PATH, serverHealthPath, serverMcpPath } from './contract';
import { cors } from './cors';
import { bodyErrors, internalError, nodeDecidesConnection, noteRefusal, originGuard, requestLog } from './http';
import { RPC, sendRpcError } from './jsonrpc';
import { mcpEndpoint, refuseInvalidParams, type ResponseMode } from './mcpHandler';
import { createLogger, type Logger } from './logger';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import type { LoadedServer } from './mcp/define';
import { createMcpServer } from './server';

export { DEFAULT_MAX_BODY_BYTES, isLoopback, LOOPBACK_HOSTS } from './limits';
export type { LoadedServer } from './mcp/define';

export type { ResponseMode } from './mcpHandler';

export interface AppOptions {
  /**
   * How POST /mcp answers, to 2026-07-28 and 2025-era clients alike: `json` (one application/json
   * body; for buffering gateways such as API Gateway HTTP API) or `sse` (a text/event-stream; for
   * containers). Default `sse`.
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
  /**
   * Largest request body accepted on /mcp, bytes. Default DEFAULT_MAX_BODY_BYTES (2.5 MiB). Not below
   * any served server's `minBodyBytes` (the app refuses to start).
   */
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

/** Where a server is served: its MCP endpoint and health paths. */
export interface Mount {
  server: LoadedServer;
  mcpPaths: readonly string[];
  healthPaths: readonly string[];
}

/**
 * Refuses a body limit under what a served server needs (`minBodyBytes`): a valid call would meet 413.
 * Throws naming each such server.
 */
export function checkBodyLimit(servers: readonly LoadedServer[], maxBodyBytes: number): void {
  const short = servers.filter((s) => (s.definition.minBodyBytes ?? 0) > maxBodyBytes);
  if (short.length === 0) return;
  const needs = short.map((s) => `server ${s.name} needs at least ${s.definition.minBodyBytes}`).join(', ');
  throw new Error(`MAX_BODY_BYTES ${maxBodyBytes} is too small: ${needs}`);
}

/**
 * The Express app of a set of mounts: each server's POST endpoint (stateless Streamable HTTP) and
 * GET health paths, then a 404 saying `notFound`. createApp and createFrontDoor are both made here.
 */
export function serveMounts(mounts: readonly Mount[], options: AppOptions, notFound: string): Express {
  const logger = options.logger ?? createLogger('mcp-server');
  const responseMode = options.responseMode ?? 'sse';
  const isDraining = options.isDraining ?? (() => false);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  checkBodyLimit(
    mounts.map((m) => m.server),
    maxBodyBytes,
  );
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestLog(logger, summarize, isDraining));
  const allowedOrigins = options.allowedOrigins ?? [];
  if ((options.cors ?? true) && allowedOrigins.length) app.use(cors(allowedOrigins));

  // Liveness: answered before any Host check, since load balancers probe by IP address.
  const health: RequestHandler = (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    res.json({ status: 'ok' });
  };
  for (const { healthPaths } of mounts) app.get([...healthPaths], health);

  // What the SDK reports while it serves a request (a refusal such as -32020 or -32022, or a failure)
  // goes on that request's log line; a failure (a 5xx answer) is also logged as an error.
  const serving = new AsyncLocalStorage<ServerResponse>();
  const sdkReport = (err: Error, server: string) => {
    const res = serving.getStore();
    if (!res) return logger.warn({ err, server }, 'MCP SDK error');
    noteRefusal(res, err.message);
    res.once('finish', () => {
      if (res.statusCode >= 500) logger.error({ err, server }, 'MCP request failed');
    });
  };
  const guard = originGuard(options.allowedHosts, allowedOrigins);
  const parseJson = express.json({ limit: maxBodyBytes });
  for (const { server: served, mcpPaths } of mounts) {
    const paths = [...mcpPaths];
    app.use(paths, guard);
    const endpoint = mcpEndpoint(
      () => createMcpServer(served.name, served.definition),
      responseMode,
      (err) => sdkReport(err, served.name),
    );
    // Express has parsed the body (its limit, encodings and errors are the app's): the SDK gets it parsed.
    const serve = toNodeHandler(endpoint, { onerror: (err) => logger.error({ err, server: served.name }, 'MCP request failed') });
    app.post(paths, nodeDecidesConnection, parseJson, refuseInvalidParams, (req, res) => serving.run(res, () => serve(req, res, req.body)));
    // Stateless server: no standalone SSE stream (GET) and no session to delete (DELETE).
    app.all(paths, (_req, res) => {
      res.setHeader('Allow', 'POST');
      sendRpcError(res, 405, RPC.SERVER_ERROR, 'Method not allowed: this stateless server accepts POST only');
    });
  }
  app.use(bodyErrors);
  app.use((_req, res) => {
    res.status(404).json({ error: notFound });
  });
  app.use(internalError(logger));
  return app;
}

/**
 * The Express app of one server, as every target serves it: POST /mcp and /<name>/mcp (stateless
 * Streamable HTTP), GET /healthz and /<name>/healthz. Both paths, so that a front door never rewrites them.
 */
export function createApp(server: LoadedServer, options: AppOptions = {}): Express {
  return serveMounts(
    [{ server, mcpPaths: [MCP_PATH, serverMcpPath(server.name)], healthPaths: [HEALTH_PATH, serverHealthPath(server.name)] }],
    options,
    `Not found: the MCP endpoint is POST ${serverMcpPath(server.name)} (or ${MCP_PATH})`,
  );
}
