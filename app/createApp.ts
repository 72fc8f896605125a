import type { ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import express, { type Express, type RequestHandler } from 'express';
import { cors } from './cors';
import { bodyErrors, internalError, nodeDecidesConnection, noteRefusal, originGuard, requestLog } from './http';
import { sendRpcError } from './jsonrpc';
import { mcpEndpoint, refuseInvalidParams } from './mcpHandler';
import { createLogger } from './logger';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import type { LoadedServer } from './mcp/define';
import { createMcpServer } from './server';
import { checkBodyLimit, healthAnswer, METHOD_NOT_ALLOWED, oneServer, summarize, type AppOptions, type Mount } from './fetchApp';

export { DEFAULT_MAX_BODY_BYTES, isLoopback, LOOPBACK_HOSTS } from './limits';
export type { LoadedServer } from './mcp/define';
export { checkBodyLimit, type AppOptions, type Mount } from './fetchApp';

export type { ResponseMode } from './mcpHandler';

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
    const answer = healthAnswer(isDraining());
    res.status(answer.status).json(answer.body);
  };
  for (const { healthPaths } of mounts) app.get([...healthPaths], health);

  // What the SDK reports while it serves a request (a refusal such as -32020 or -32022, or a failure)
  // goes on that request's log line; a failure (a 5xx answer) is also logged as an error. The SDK's
  // handler is made per request for that, so that its reports name their request without
  // AsyncLocalStorage, whose promise hooks cost every request a tenth of its throughput.
  const sdkReport = (err: Error, server: string, res: ServerResponse) => {
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
    const newServer = (opts: { changes: boolean }) => createMcpServer(served.name, served.definition, opts);
    const failed = (err: Error) => logger.error({ err, server: served.name }, 'MCP request failed');
    // Express has parsed the body (its limit, encodings and errors are the app's): the SDK gets it parsed.
    const serve: RequestHandler = (req, res) => {
      const endpoint = mcpEndpoint(newServer, responseMode, (err) => sdkReport(err, served.name, res), served.definition.events);
      void toNodeHandler(endpoint, { onerror: failed })(req, res, req.body);
    };
    app.post(paths, nodeDecidesConnection, parseJson, refuseInvalidParams, serve);
    // Stateless server: no standalone SSE stream (GET) and no session to delete (DELETE).
    app.all(paths, (_req, res) => {
      res.setHeader('Allow', 'POST');
      sendRpcError(res, METHOD_NOT_ALLOWED.status, METHOD_NOT_ALLOWED.code, METHOD_NOT_ALLOWED.message);
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
  const { mounts, notFound } = oneServer(server);
  return serveMounts(mounts, options, notFound);
}
