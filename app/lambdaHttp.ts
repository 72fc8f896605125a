import serverlessExpress from '@codegenie/serverless-express';
import express, { type Express, type RequestHandler } from 'express';
import { z } from 'zod';
import { onWriteHeadHeaders } from './http';
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

/**
 * serverless-express 4 loses every header passed to `writeHead()` when none was set with `setHeader()`
 * before, and the MCP transport sets all of its headers (content-type included) that way. Route them
 * through `setHeader()` so that the Lambda response carries them.
 */
const headersThroughSetHeader: RequestHandler = (_req, res, next) => {
  onWriteHeadHeaders(res, (headers) => {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as string);
    return undefined;
  });
  next();
};

/**
 * serverless-express's in-memory socket returns `undefined` from `write()`, so `res.write()` reports a
 * full buffer, and a writer that waits for `drain` (the MCP transport's SSE stream does) waits forever:
 * that socket never emits it. It buffers everything in memory, so report that it took the chunk.
 */
const socketAcceptsWrites: RequestHandler = (_req, res, next) => {
  const socket = res.socket as unknown as { write?: (...args: unknown[]) => unknown } | null;
  const write = socket?.write;
  if (socket && typeof write === 'function') {
    socket.write = (...args: unknown[]) => {
      write.apply(socket, args);
      return true;
    };
  }
  next();
};

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

function errorResult(statusCode: number, code: number, message: string): LambdaHttpResult {
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

/** serverless-express's logger interface, onto ours: its errors (with their stack) go to the log, not to stdout. */
function serverlessExpressLog(logger: Logger) {
  const none = () => {};
  return {
    debug: none,
    verbose: none,
    info: none,
    warn: (message: unknown) => logger.warn(String(message)),
    error: (message: unknown, err?: unknown) => logger.error({ err }, String(message)),
  };
}

/**
 * An Express app as a Lambda handler for API Gateway HTTP API (payload format 2.0) and Function URL
 * events, through @codegenie/serverless-express. It never throws: a non-HTTP event (SQS, a schedule,
 * `{}`, null) resolves to 400 and a warning in the log, a malformed HTTP event to 400, a failure in
 * between to 500, each with a JSON-RPC error body saying what went wrong.
 */
export function lambdaHttpHandler(app: Express, logger: Logger): LambdaHttpHandler {
  const proxy = serverlessExpress({
    app: express().disable('x-powered-by').use(headersThroughSetHeader, socketAcceptsWrites, app),
    // Set, so that serverless-express does not guess it (and throw) from the event.
    eventSourceName: 'AWS_API_GATEWAY_V2',
    log: serverlessExpressLog(logger),
  }) as unknown as (event: unknown, context: unknown) => Promise<LambdaHttpResult | undefined>;

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
      // serverless-express reads `headers` unconditionally; an event may leave it out when there are none.
      const result = await proxy({ ...event, headers: parsed.data.headers ?? {} }, context ?? {});
      if (!result || typeof result.statusCode !== 'number') throw new Error('serverless-express gave no HTTP result');
      // serverless-express's own failure: 500 with an empty body.
      if (result.statusCode === 500 && !result.body) return errorResult(500, RPC.INTERNAL_ERROR, 'Internal error');
      return result;
    } catch (err) {
      logger.error({ err }, 'Lambda request failed');
      return errorResult(500, RPC.INTERNAL_ERROR, 'Internal error');
    }
  };
}
