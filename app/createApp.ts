import type { ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { originOf, type AuthAnswer, type AuthGate } from './auth/gate';
import { AUTHORIZATION_SERVER_METADATA_PATH, METRICS_PATH, protectedResourceMetadataPath, REGISTRATION_PATH } from './contract';
import { PrometheusMetrics } from './observability/metrics';
import { cors } from './cors';
import { bodyErrors, internalError, nodeDecidesConnection, noteRefusal, noteTrace, originGuard, requestLog } from './http';
import { McpExchange } from './observability/exchange';
import { sendRpcError } from './jsonrpc';
import { invalidParamsAnswer, mcpEndpoint } from './mcpHandler';
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
  // npm start: the tool metrics, summed, in Prometheus' text format.
  const metrics = options.metrics;
  if (metrics instanceof PrometheusMetrics) {
    app.get(METRICS_PATH, (_req, res) => {
      res.type('text/plain; version=0.0.4').send(metrics.render());
    });
  }

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
  const auth = options.auth;
  if (auth) serveAuthDocuments(app, auth, mounts, guard);
  for (const { server: served, mcpPaths } of mounts) {
    const paths = [...mcpPaths];
    app.use(paths, guard);
    if (auth) app.use(paths, authorize(auth, served.name, paths));
    const scopePrefix = auth?.settings.scopePrefix;
    const newServer = (opts: { changes: boolean }, exchange?: McpExchange) =>
      createMcpServer(served.name, served.definition, { ...opts, scopePrefix, ...(exchange ? { observe: exchange.observe } : {}) });
    const failed = (err: Error) => logger.error({ err, server: served.name }, 'MCP request failed');
    const observed = { server: served.name, definition: served.definition, tracing: options.tracing, metrics: options.metrics };
    const observing = McpExchange.wanted(observed);
    // Express has parsed the body (its limit, encodings and errors are the app's): the SDK gets it parsed.
    const serve: RequestHandler = (req, res) => {
      const exchange = observing ? new McpExchange(observed, req.body, (name) => req.get(name)) : undefined;
      if (exchange) {
        noteTrace(res, exchange.logFields());
        res.once('close', () => exchange.end(res.statusCode));
      }
      // Params of the wrong shape: JSON-RPC -32602 with a one-line message, before the SDK sees them.
      const invalid = invalidParamsAnswer(req.method, (name) => req.get(name), req.body);
      if (invalid) {
        exchange?.refused(invalid.error.code);
        res.status(200).json(invalid);
        return;
      }
      const endpoint = mcpEndpoint((opts) => newServer(opts, exchange), responseMode, (err) => sdkReport(err, served.name, res), served.definition.events);
      const handle = () => void toNodeHandler(endpoint, { onerror: failed })(req, res, req.body);
      if (exchange) exchange.run(handle);
      else handle();
    };
    app.post(paths, nodeDecidesConnection, parseJson, serve);
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

const send = (res: Response, answer: AuthAnswer) => res.status(answer.status).set(answer.headers).json(answer.body);

/** Where a request to an MCP path of `server` was sent (the path as the route has it, whatever its case). */
function reached(req: Request, server: string, paths: readonly string[]) {
  const base = req.baseUrl.toLowerCase();
  const mcpPath = paths.find((p) => p.toLowerCase() === base) ?? paths[0]!;
  return { server, mcpPath, origin: originOf((name) => req.get(name), req.protocol) };
}

/** The bearer-token check in front of a server's MCP paths: the verified token reaches the SDK as `req.auth`. */
function authorize(auth: AuthGate, server: string, paths: readonly string[]): RequestHandler {
  return (req, res, next) => {
    // A path under the endpoint is not the endpoint: its 404 comes later.
    if (req.path !== '/') return next();
    auth.check(reached(req, server, paths), req.get('authorization')).then((outcome) => {
      if ('refusal' in outcome) {
        noteRefusal(res, outcome.reason);
        return send(res, outcome.refusal);
      }
      (req as Request & { auth?: unknown }).auth = outcome.authInfo;
      next();
    }, next);
  };
}

/** The metadata documents of authorization (and, when on, client registration), each behind the Host check. */
function serveAuthDocuments(app: Express, auth: AuthGate, mounts: readonly Mount[], guard: RequestHandler): void {
  for (const { server, mcpPaths } of mounts) {
    for (const mcpPath of mcpPaths) {
      app.get(protectedResourceMetadataPath(mcpPath), guard, (req, res) => {
        send(res, auth.resourceMetadata({ server: server.name, mcpPath, origin: originOf((name) => req.get(name), req.protocol) }, server.definition.title));
      });
    }
  }
  const asMetadata = auth.authorizationServerMetadata();
  if (asMetadata) app.get(AUTHORIZATION_SERVER_METADATA_PATH, guard, (_req, res) => send(res, asMetadata));
  if (auth.register(undefined)) {
    app.post(REGISTRATION_PATH, guard, express.json({ limit: '64kb' }), (req, res) => send(res, auth.register(req.body)!));
  }
}

/**
 * The Express app of one server, as every target serves it: POST /mcp and /<name>/mcp (stateless
 * Streamable HTTP), GET /healthz and /<name>/healthz. Both paths, so that a front door never rewrites them.
 */
export function createApp(server: LoadedServer, options: AppOptions = {}): Express {
  const { mounts, notFound } = oneServer(server);
  return serveMounts(mounts, options, notFound);
}
