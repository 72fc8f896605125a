import { z } from 'zod';
import type { FetchApp } from './fetchApp';
import { RPC } from './jsonrpc';
import type { Logger } from './logger';

/** What a Lambda function answers to API Gateway HTTP API (payload format 2.0) or a Function URL. */
export interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** A Lambda handler that never throws: every event, HTTP or not, resolves to an HTTP result. */
export type LambdaHttpHandler = (event: unknown, context?: unknown) => Promise<LambdaHttpResult>;

export const EXPECTED_EVENTS = 'this function expects API Gateway HTTP API (payload format 2.0) or Lambda Function URL events';

/** The parts of a payload format 2.0 event that serverless-express reads; anything else there is left alone. */
const httpEventSchema = z.object({
  requestContext: z.object({
    http: z.object({
      method: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP method'),
      sourceIp: z.string().optional(),
    }),
  }),
  rawPath: z.string().startsWith('/', 'must start with /'),
  rawQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  cookies: z.array(z.string()).optional(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
});

export function errorResult(statusCode: number, code: number, message: string): LambdaHttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }),
    isBase64Encoded: false,
  };
}

/** The type and top-level keys of an event, for a log line (no values: they may hold data). */
function describeEvent(event: unknown): { eventType: string; keys?: string[] } {
  if (event === null) return { eventType: 'null' };
  if (Array.isArray(event)) return { eventType: 'array' };
  if (typeof event !== 'object') return { eventType: typeof event };
  return { eventType: 'object', keys: Object.keys(event).slice(0, 20) };
}

/** Whether an event says it comes from an HTTP API (payload format 2.0) or a Function URL: it has `requestContext.http`. */
function isHttpEvent(event: unknown): event is { requestContext: { http: unknown } } {
  if (!event || typeof event !== 'object') return false;
  const context = (event as { requestContext?: unknown }).requestContext;
  return !!context && typeof context === 'object' && 'http' in context && !!(context as { http?: unknown }).http;
}

export type HttpEvent = z.output<typeof httpEventSchema>;

/**
 * A handler for HTTP API (payload format 2.0) and Function URL events around `serve`: it never
 * throws. A non-HTTP event (SQS, a schedule, `{}`, null) resolves to 400 and a warning in the log, a
 * malformed HTTP event to 400, a failure in `serve` to 500, each with a JSON-RPC error body saying
 * what went wrong.
 */
export function eventHandler(
  logger: Logger,
  serve: (event: HttpEvent, original: HttpEvent, context: unknown) => Promise<LambdaHttpResult>,
): LambdaHttpHandler {
  return async (event, context) => {
    if (!isHttpEvent(event)) {
      logger.warn(describeEvent(event), `Unsupported event: ${EXPECTED_EVENTS}`);
      return errorResult(400, RPC.INVALID_REQUEST, `Unsupported event: ${EXPECTED_EVENTS}.`);
    }
    const parsed = httpEventSchema.safeParse(event);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
      logger.warn({ problems }, 'Malformed HTTP event');
      return errorResult(400, RPC.INVALID_REQUEST, `Malformed HTTP event (${problems}); ${EXPECTED_EVENTS}.`);
    }
    try {
      return await serve(parsed.data, event as HttpEvent, context);
    } catch (err) {
      logger.error({ err }, 'Lambda request failed');
      return errorResult(500, RPC.INTERNAL_ERROR, 'Internal error');
    }
  };
}

/** Methods a web Request cannot carry (the fetch standard forbids them); answered 405 like any method but POST. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** The web Request an HTTP event carries. */
export function eventRequest(event: HttpEvent): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) headers.set(name, value);
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== undefined && event.body !== null;
  const body = hasBody ? Buffer.from(event.body!, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  if (body !== undefined) headers.set('content-length', String(body.length));
  // The URL's host is a placeholder: the Host header (checked by the app) may not be a valid URL authority.
  return new Request(`https://lambda.invalid${event.rawPath}${query}`, { method, headers, body });
}

/**
 * A fetch-shaped app (app/fetchApp.ts) as a Lambda handler for API Gateway HTTP API (payload format
 * 2.0) and Function URL events; see `eventHandler` for what it answers to events it does not serve.
 * The MCP server's functions are served this way: no Express, no Node HTTP objects in between.
 */
export function lambdaFetchHandler(app: FetchApp, logger: Logger): LambdaHttpHandler {
  return eventHandler(logger, async (event) => {
    if (FORBIDDEN_METHODS.has(event.requestContext.http.method.toUpperCase())) {
      return { ...errorResult(405, RPC.SERVER_ERROR, 'Method not allowed: this stateless server accepts POST only'), headers: { 'content-type': 'application/json; charset=utf-8', allow: 'POST' } };
    }
    const response = await app(eventRequest(event));
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headers[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    return {
      statusCode: response.status,
      headers,
      ...(cookies.length ? { cookies } : {}),
      body: await response.text(),
      isBase64Encoded: false,
    };
  });
}
