// The app of a set of servers as a fetch-shaped function (a web Request in, a Response out), for the
// Lambda handler, which has each request whole in its event and needs neither a Node HTTP request nor
// Express. It answers what the Express app (app/createApp.ts) answers, from the same pieces: the
// Host/Origin check, CORS, the request log line, the body refusals, the invalid-params answer and the
// MCP endpoint. Only the body reader is its own, since the body is already whole.
import type { AuthInfo } from '@modelcontextprotocol/server';
import { originOf, type AuthAnswer, type AuthGate } from './auth/gate';
import type { ToolMetrics } from './observability/metrics';
import { McpExchange, type ExchangeOptions } from './observability/exchange';
import type { Tracing } from './observability/tracing';
import { AUTHORIZATION_SERVER_METADATA_PATH, HEALTH_PATH, MCP_PATH, protectedResourceMetadataPath, REGISTRATION_PATH, serverHealthPath, serverMcpPath } from './contract';
import { corsAnswer } from './cors';
import { clientError, hostOriginCheck, requestLine, type HttpError, type Refusal } from './http';
import { RPC } from './jsonrpc';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import { createLogger, type Logger } from './logger';
import type { LoadedServer } from './mcp/define';
import { invalidParamsAnswer, mcpEndpoint, type ResponseMode } from './mcpHandler';
import { createMcpServer } from './server';

export interface AppOptions {
  /**
   * How POST /mcp answers 2025-era clients: `json` (one application/json body, for buffering gateways
   * such as API Gateway HTTP API) or `sse` (a text/event-stream; for containers). Default `sse`.
   * 2026-07-28 clients get the SDK's auto mode in both; see `ResponseMode`.
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
  /** Where tool calls are counted (app/observability/metrics.ts); undefined, nowhere. */
  metrics?: ToolMetrics;
  /** Where MCP requests are traced (app/observability/tracing.ts); undefined, nowhere. */
  tracing?: Tracing;
  /** Bearer tokens required on the MCP paths, and the metadata documents served (app/auth/gate.ts); undefined, none. */
  auth?: AuthGate;
  /** Set once the process is shutting down: /healthz answers 503 and connections are not kept alive. */
  isDraining?: () => boolean;
}

/** Where a server is served: its MCP endpoint and health paths. */
export interface Mount {
  server: LoadedServer;
  mcpPaths: readonly string[];
  healthPaths: readonly string[];
}

/**
 * The mounts of one server, as every target serves it: POST /mcp and /<name>/mcp, GET /healthz and
 * /<name>/healthz (both, so that a front door never rewrites them), and what a 404 says.
 */
export function oneServer(server: LoadedServer): { mounts: Mount[]; notFound: string } {
  return {
    mounts: [{ server, mcpPaths: [MCP_PATH, serverMcpPath(server.name)], healthPaths: [HEALTH_PATH, serverHealthPath(server.name)] }],
    notFound: `Not found: the MCP endpoint is POST ${serverMcpPath(server.name)} (or ${MCP_PATH})`,
  };
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

/** The JSON-RPC method and tool name of a parsed body, for the request log line. */
export function summarize(body: unknown): { rpcMethod?: string; tool?: string } {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  if (!first || typeof first !== 'object') return {};
  const msg = first as { method?: unknown; params?: { name?: unknown } };
  const rpcMethod = typeof msg.method === 'string' ? msg.method : undefined;
  const tool = rpcMethod === 'tools/call' && typeof msg.params?.name === 'string' ? msg.params.name : undefined;
  return { rpcMethod, tool };
}

/** The answer to GET on a health path. */
export const healthAnswer = (draining: boolean) => (draining ? { status: 503, body: { status: 'draining' } } : { status: 200, body: { status: 'ok' } });

/** The refusal of a method other than POST on an MCP path (with `Allow: POST`). */
export const METHOD_NOT_ALLOWED: Refusal = {
  status: 405,
  code: RPC.SERVER_ERROR,
  message: 'Method not allowed: this stateless server accepts POST only',
};

/** A fetch-shaped app: every request answered, never a rejection. */
export type FetchApp = (request: Request) => Promise<Response>;

const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

const answer = (a: AuthAnswer) => json(a.status, a.body, a.headers);

/** Largest client-registration request accepted, bytes. */
const REGISTRATION_BODY_BYTES = 64 * 1024;

const rpcError = (refusal: Refusal, headers: Record<string, string> = {}) =>
  json(refusal.status, { jsonrpc: '2.0', error: { code: refusal.code, message: refusal.message }, id: null }, headers);

/** A path as Express routes it by default: case-insensitive, one trailing slash ignored. */
const routeKey = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();

/** Express's error for a body it refuses, in body-parser's shape, for `clientError`. */
const bodyError = (type: string, status: number, message: string, extra: Partial<HttpError> = {}): HttpError & Error =>
  Object.assign(new Error(message), { type, status, ...extra });

/** A zlib decoder for a Content-Encoding body-parser decodes, loaded only when a request needs it. */
function decompress(encoding: string, bytes: Buffer, limit: number): Buffer {
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const options = { maxOutputLength: limit + 1 };
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(bytes, options);
    case 'deflate':
      return zlib.inflateSync(bytes, options);
    case 'br':
      return zlib.brotliDecompressSync(bytes, options);
  }
  throw bodyError('encoding.unsupported', 415, `unsupported content encoding "${encoding}"`);
}

/**
 * The body of a POST as express.json({ limit }) parses it: undefined when the Content-Type is not
 * application/json (the SDK then answers 415); otherwise decoded (Content-Encoding identity, gzip,
 * deflate, br; a UTF charset) and parsed strictly (an object or an array). Throws body-parser's
 * errors (entity.too.large, entity.parse.failed, encoding.unsupported, charset.unsupported).
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const [type = '', ...params] = (request.headers.get('content-type') ?? '').split(';');
  if (type.trim().toLowerCase() !== 'application/json') return undefined;
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw bodyError('entity.too.large', 413, 'request entity too large', { limit });
  let bytes: Buffer = Buffer.from(await request.arrayBuffer());
  if (bytes.length > limit) throw bodyError('entity.too.large', 413, 'request entity too large', { limit });
  const encoding = (request.headers.get('content-encoding') ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    try {
      bytes = decompress(encoding, bytes, limit);
    } catch (err) {
      if ((err as HttpError).type) throw err;
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw bodyError('entity.too.large', 413, 'request entity too large', { limit });
      throw Object.assign(err as Error, { status: 400 });
    }
    if (bytes.length > limit) throw bodyError('entity.too.large', 413, 'request entity too large', { limit });
  }
  const charsetParam = params.map((p) => p.trim().split('=')).find(([k]) => k?.toLowerCase() === 'charset');
  const charset = (charsetParam?.[1] ?? 'utf-8').replace(/^"|"$/g, '').toLowerCase();
  if (!charset.startsWith('utf-')) throw bodyError('charset.unsupported', 415, `unsupported charset "${charset.toUpperCase()}"`);
  let text: string;
  try {
    text = new TextDecoder(charset).decode(bytes);
  } catch {
    throw bodyError('encoding.unsupported', 415, `unsupported charset "${charset.toUpperCase()}"`);
  }
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw bodyError('entity.parse.failed', 400, 'Unexpected token: the body is not a JSON object or array');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bodyError('entity.parse.failed', 400, (err as Error).message);
  }
}

/** What the SDK reported while it served one request: a refusal for the log line, failures to log if it answered 5xx. */
interface SdkReports {
  refusal?: string;
  failures: Error[];
  /** What observes the request (metrics, its span). */
  exchange?: McpExchange;
}

/**
 * The fetch-shaped app of a set of mounts: each server's POST endpoint (stateless Streamable HTTP)
 * and GET health paths, then a 404 saying `notFound`; as `serveMounts` in app/createApp.ts.
 */
export function serveMountsFetch(mounts: readonly Mount[], options: AppOptions, notFound: string): FetchApp {
  const logger = options.logger ?? createLogger('mcp-server');
  const responseMode = options.responseMode ?? 'sse';
  const isDraining = options.isDraining ?? (() => false);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  checkBodyLimit(
    mounts.map((m) => m.server),
    maxBodyBytes,
  );
  const allowedOrigins = options.allowedOrigins ?? [];
  const cors = (options.cors ?? true) && allowedOrigins.length ? corsAnswer(allowedOrigins) : undefined;
  const guard = hostOriginCheck(options.allowedHosts, allowedOrigins);
  // The request whose SDK reports these are. Lambda serves one request at a time per process, so the
  // request in flight is known without AsyncLocalStorage (whose promise hooks cost a tenth of a cold
  // start); with several in flight at once (not on Lambda), reports go to the log unattributed.
  let inflight = 0;
  let current: SdkReports | undefined;

  const health = new Set(mounts.flatMap((m) => m.healthPaths.map(routeKey)));
  const endpoints = new Map<string, { name: string; path: string; endpoint: ReturnType<typeof mcpEndpoint>; observed: ExchangeOptions }>();
  const auth = options.auth;
  const scopePrefix = auth?.settings.scopePrefix;
  // The metadata documents of authorization: Protected Resource Metadata per MCP path, and for
  // Cognito the published authorization-server metadata.
  const documents = new Map<string, (origin: string) => AuthAnswer>();
  if (auth) {
    for (const { server, mcpPaths } of mounts) {
      for (const mcpPath of mcpPaths) {
        documents.set(routeKey(protectedResourceMetadataPath(mcpPath)), (origin) =>
          auth.resourceMetadata({ server: server.name, mcpPath, origin }, server.definition.title),
        );
      }
    }
    const asMetadata = auth.authorizationServerMetadata();
    if (asMetadata) documents.set(routeKey(AUTHORIZATION_SERVER_METADATA_PATH), () => asMetadata);
  }
  const registers = auth?.register(undefined) !== undefined;
  const observing = McpExchange.wanted(options);
  for (const { server, mcpPaths } of mounts) {
    const endpoint = mcpEndpoint(
      (opts) => {
        // Made while its request is in flight: the exchange it reports to is that request's, even for
        // messages sent after the response has begun (a stream).
        const exchange = inflight === 1 ? current?.exchange : undefined;
        return createMcpServer(server.name, server.definition, { ...opts, scopePrefix, ...(exchange ? { observe: exchange.observe } : {}) });
      },
      responseMode,
      (err) => {
        const reports = inflight === 1 ? current : undefined;
        if (!reports) return logger.warn({ err, server: server.name }, 'MCP SDK error');
        reports.refusal = err.message;
        reports.failures.push(err);
      },
      server.definition.events,
    );
    const observed = { server: server.name, definition: server.definition, tracing: options.tracing, metrics: options.metrics };
    for (const path of mcpPaths) endpoints.set(routeKey(path), { name: server.name, path, endpoint, observed });
  }
  /** The endpoint whose path `key` is or is under (Express guards the paths under it too, then answers 404). */
  const mountOf = (key: string) => {
    for (const [path, mount] of endpoints) if (key === path || key.startsWith(`${path}/`)) return { mount, exact: key === path };
    return undefined;
  };

  return async (request) => {
    const started = process.hrtime.bigint();
    const path = new URL(request.url).pathname;
    const key = routeKey(path);
    const method = request.method;
    const corsHeaders = cors?.(request.headers.get('origin') ?? undefined, method, request.headers.get('access-control-request-method') ?? undefined);
    let body: unknown;
    let refusal: string | undefined;
    let exchange: McpExchange | undefined;
    const finish = (response: Response): Response => {
      for (const [name, value] of Object.entries(corsHeaders?.headers ?? {})) response.headers.set(name, value);
      const trace = exchange?.logFields();
      logger.info(requestLine({ method, path, body, status: response.status, started, refusal, ...(trace ? { trace } : {}) }, summarize), 'request');
      exchange?.end(response.status, response.headers.get('content-type')?.startsWith('text/event-stream') ?? false);
      return response;
    };
    const refuse = (r: Refusal, headers?: Record<string, string>) => {
      refusal = r.message;
      return finish(rpcError(r, headers));
    };
    try {
      if (corsHeaders?.preflight) return finish(new Response(null, { status: 204 }));
      if ((method === 'GET' || method === 'HEAD') && health.has(key)) {
        const answer = healthAnswer(isDraining());
        return finish(json(answer.status, answer.body));
      }
      const header = (name: string) => request.headers.get(name) ?? undefined;
      const origin = () => originOf(header, new URL(request.url).protocol);
      const document = documents.get(key);
      const registration = registers && key === routeKey(REGISTRATION_PATH);
      if ((document && (method === 'GET' || method === 'HEAD')) || (registration && method === 'POST')) {
        const refused = guard(header('host'), header('origin'));
        if (refused) return refuse(refused);
        if (document) return finish(answer(document(origin())));
        try {
          body = await readJsonBody(request, REGISTRATION_BODY_BYTES);
        } catch (err) {
          const r = clientError(err as HttpError, header('content-encoding'));
          if (!r) throw err;
          refusal = (err as Error).message;
          return finish(rpcError(r));
        }
        return finish(answer(auth!.register(body)!));
      }
      const at = mountOf(key);
      if (at) {
        const refused = guard(header('host'), header('origin'));
        if (refused) return refuse(refused);
      }
      if (!at?.exact) return finish(json(404, { error: notFound }));
      let authInfo: AuthInfo | undefined;
      if (auth) {
        const outcome = await auth.check({ server: at.mount.name, mcpPath: at.mount.path, origin: origin() }, header('authorization'));
        if ('refusal' in outcome) {
          refusal = outcome.reason;
          return finish(answer(outcome.refusal));
        }
        authInfo = outcome.authInfo;
      }
      if (method !== 'POST') return refuse(METHOD_NOT_ALLOWED, { allow: 'POST' });
      try {
        body = await readJsonBody(request, maxBodyBytes);
      } catch (err) {
        const r = clientError(err as HttpError, request.headers.get('content-encoding') ?? undefined);
        if (!r) throw err;
        refusal = (err as Error).message;
        return finish(rpcError(r));
      }
      if (observing) {
        exchange = new McpExchange(at.mount.observed, body, header);
      }
      const invalid = invalidParamsAnswer(method, (name) => request.headers.get(name) ?? undefined, body);
      if (invalid) {
        exchange?.refused(invalid.error.code);
        return finish(json(200, invalid));
      }
      const reports: SdkReports = { failures: [], ...(exchange ? { exchange } : {}) };
      inflight++;
      current = reports;
      let response: Response;
      try {
        const serve = () => at.mount.endpoint.fetch(request, { parsedBody: body, ...(authInfo ? { authInfo } : {}) });
        response = await (exchange ? exchange.run(serve) : serve());
      } finally {
        inflight--;
        if (current === reports) current = undefined;
      }
      refusal = reports.refusal;
      if (response.status >= 500) for (const err of reports.failures) logger.error({ err, server: at.mount.name }, 'MCP request failed');
      return finish(response);
    } catch (err) {
      logger.error({ err }, 'unhandled error');
      return finish(rpcError({ status: 500, code: RPC.INTERNAL_ERROR, message: 'Internal error' }));
    }
  };
}

/** The fetch-shaped app of one server, as `createApp` serves it. */
export function createFetchApp(server: LoadedServer, options: AppOptions = {}): FetchApp {
  const { mounts, notFound } = oneServer(server);
  return serveMountsFetch(mounts, options, notFound);
}
