import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import express, { type Express, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AuthGate } from '../auth/gate';
import { HEALTH_PATH, PROTECTED_RESOURCE_METADATA_PREFIX } from '../contract';
import { DEFAULT_MAX_BODY_BYTES } from '../limits';
import { clientErrors, internalError, noteTrace, originGuard, plainError, requestLog } from '../http';
import type { Logger } from '../logger';
import type { ToolMetrics } from '../observability/metrics';
import { activeTracer, parentContext, traceFields } from '../observability/tracing';
import { ask } from './ask';
import { agentAuthorization } from './gate';
import { DiscoveryError, type McpEndpoint } from './resolver';
import { AmbiguousToolError, ServerUnreachableError, ToolNotFoundError, type McpServers } from './servers';
import { CallTimeoutError, InvalidArgumentsError, UpstreamError } from './upstream';

export interface AgentAppOptions {
  servers: McpServers;
  logger: Logger;
  /** Bedrock model for POST /ask; without one, /ask answers 501. */
  modelId?: string;
  bedrock?: Pick<BedrockRuntimeClient, 'send'>;
  /** Model turns per /ask at the most. Default 8. */
  maxSteps?: number;
  maxBodyBytes?: number;
  /**
   * Hostnames (no port) accepted in the Host header on every route but /healthz. Undefined: any Host.
   * Use LOOPBACK_HOSTS for an agent bound to loopback (see agentGuardFromEnv).
   */
  allowedHosts?: readonly string[];
  /** Origins (scheme://host[:port]) allowed besides same-origin requests and origins on an allowed host. */
  allowedOrigins?: readonly string[];
  /** A token required on every route but /healthz (containers; on Lambda, IAM). */
  auth?: AuthGate;
  isDraining?: () => boolean;
  /** Where Bedrock calls are counted. */
  metrics?: ToolMetrics;
}

/** The setting that enables /ask, named in its 501. */
export const MODEL_SETTING = 'BEDROCK_MODEL_ID (stack setting agentModelId)';

const askBody = z.object({
  prompt: z.string().min(1).max(100_000),
  maxSteps: z.number().int().min(1).max(20).optional(),
});

/** An exposed name, `<server>__<tool>` or a tool's own name (MCP allows up to 128 characters). */
const toolName = /^[A-Za-z0-9_.-]{1,150}$/;

/** Endpoints grouped by server, for /servers. */
function grouped(endpoints: McpEndpoint[]): { name: string; endpoints: McpEndpoint[] }[] {
  const byServer = new Map<string, McpEndpoint[]>();
  for (const e of endpoints) byServer.set(e.server, [...(byServer.get(e.server) ?? []), e]);
  return [...byServer].map(([name, list]) => ({ name, endpoints: list }));
}

/**
 * When tracing: the request in a server span named after its route (`POST /tools/{name}/call`), a child
 * of the context its headers carry; the calls it makes to servers and to Bedrock are its children.
 */
function traced(route: string): RequestHandler {
  return (req, res, next) => {
    const tracer = activeTracer();
    if (!tracer) return next();
    const span = tracer.startSpan(route, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route.split(' ')[1]! } }, parentContext(undefined, (name) => req.get(name)));
    noteTrace(res, traceFields(span));
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) {
        span.setAttribute('error.type', String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    context.with(trace.setSpan(context.active(), span), next);
  };
}

/**
 * The agent's HTTP API: what discovery sees, by server (/servers), every server's tools under the names
 * models are given (/tools), a tool call routed to the server that offers it (/tools/:name/call), and
 * a prompt answered by a Bedrock model that may call those tools (/ask).
 */
export function createAgentApp(opts: AgentAppOptions): Express {
  const { servers, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(logger, () => ({}), opts.isDraining));
  app.get(HEALTH_PATH, (_req, res) => {
    if (opts.isDraining?.()) res.status(503).json({ status: 'draining' });
    else res.json({ status: 'ok' });
  });
  // DNS-rebinding protection: a web page must not reach a local agent and spend its Bedrock tokens.
  // Health probes come by IP, so /healthz is answered before it.
  app.use(originGuard(opts.allowedHosts, opts.allowedOrigins ?? [], plainError));
  if (opts.auth) {
    const { metadata, authorize } = agentAuthorization(opts.auth);
    app.get(PROTECTED_RESOURCE_METADATA_PREFIX, metadata);
    app.use(authorize);
  }

  const json = express.json({ limit: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });
  const requireJson: RequestHandler = (req, res, next) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'Unsupported content type: send application/json' });
      return;
    }
    next();
  };

  app.get('/servers', async (_req, res, next) => {
    try {
      res.json({ source: servers.source, servers: grouped(await servers.list()) });
    } catch (err) {
      next(err);
    }
  });

  app.get('/tools', traced('GET /tools'), async (_req, res, next) => {
    try {
      const { tools, unreachable } = await servers.tools();
      res.json({ tools, unreachable });
    } catch (err) {
      next(err);
    }
  });

  app.post('/tools/:name/call', traced('POST /tools/{name}/call'), requireJson, json, async (req, res, next) => {
    const name = String(req.params.name);
    if (!toolName.test(name)) {
      res.status(400).json({ error: `Invalid tool name: ${JSON.stringify(name)}` });
      return;
    }
    const args: unknown = req.body ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      res.status(400).json({ error: 'The body must be a JSON object: the tool’s arguments' });
      return;
    }
    try {
      const outcome = await servers.callTool(name, args as Record<string, unknown>);
      res.json({ tool: outcome.tool, server: outcome.server, endpoint: outcome.endpoint, result: outcome.result });
    } catch (err) {
      next(err);
    }
  });

  app.post('/ask', traced('POST /ask'), requireJson, json, async (req, res, next) => {
    if (!opts.modelId || !opts.bedrock) {
      res.status(501).json({ error: `POST /ask needs a Bedrock model: set ${MODEL_SETTING}. The /tools routes work without one.` });
      return;
    }
    const body = askBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      return;
    }
    try {
      const { tools } = await servers.tools();
      const result = await ask({
        bedrock: opts.bedrock,
        modelId: opts.modelId,
        prompt: body.data.prompt,
        tools,
        callTool: (name, args) => servers.callTool(name, args),
        maxSteps: body.data.maxSteps ?? opts.maxSteps ?? 8,
        ...(opts.metrics ? { metrics: opts.metrics } : {}),
      });
      res.json(result);
    } catch (err) {
      next(err);
    }
  });

  app.use(clientErrors(plainError));
  // What went wrong, as the caller can act on it.
  app.use(((err, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof ToolNotFoundError) return res.status(404).json({ error: err.message, tool: err.tool });
    if (err instanceof AmbiguousToolError) return res.status(409).json({ error: err.message, tool: err.tool, names: err.names });
    if (err instanceof ServerUnreachableError) {
      return res.status(502).json({ error: err.message, servers: err.endpoints.map((e) => e.url) });
    }
    if (err instanceof CallTimeoutError) return res.status(504).json({ error: err.message, server: err.endpoint.url });
    if (err instanceof UpstreamError) return res.status(502).json({ error: err.message, server: err.endpoint.url });
    if (err instanceof InvalidArgumentsError) return res.status(400).json({ error: err.message });
    if (err instanceof DiscoveryError) return res.status(502).json({ error: err.message });
    if (err instanceof Error && err.name.endsWith('Exception') && '$metadata' in err) {
      logger.error({ err }, 'Bedrock call failed');
      return res.status(502).json({ error: `Bedrock: ${err.name}: ${err.message}` });
    }
    return next(err);
  }) as express.ErrorRequestHandler);
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found: see GET /servers, GET /tools, POST /tools/:name/call, POST /ask' });
  });
  app.use(internalError(logger, plainError));
  return app;
}
