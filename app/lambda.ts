import type { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import serverlessExpress from '@codegenie/serverless-express';
import express, { type RequestHandler } from 'express';
import { appOptionsFromEnv, readEnv } from './config';
import { createApp } from './createApp';
import { createLogger } from './logger';

/**
 * serverless-express 4 loses every header passed to `writeHead()` when none was set with `setHeader()`
 * before, and the MCP transport sets all of its headers (content-type included) that way. Route them
 * through `setHeader()` so that the Lambda response carries them.
 */
const headersThroughSetHeader: RequestHandler = (_req, res, next) => {
  const writeHead = res.writeHead.bind(res) as (status: number, reason?: string) => ServerResponse;
  res.writeHead = ((status: number, reasonOrHeaders?: unknown, maybeHeaders?: unknown) => {
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    const headers = reason === undefined ? reasonOrHeaders : maybeHeaders;
    if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as string);
    }
    return writeHead(status, reason);
  }) as typeof res.writeHead;
  next();
};

/**
 * Lambda entry point: the same app behind @codegenie/serverless-express, for API Gateway HTTP API
 * (payload format 2.0) and Function URL events. Responses are JSON by default, since HTTP API buffers
 * the whole response; MCP_RESPONSE_MODE=sse sends a text/event-stream body instead.
 */
const app = express()
  .disable('x-powered-by')
  .use(headersThroughSetHeader)
  .use(createApp({ ...appOptionsFromEnv(readEnv(), 'json'), logger: createLogger('mcp-server') }));

export const handler = serverlessExpress({ app });

interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** The part of the Lambda Node.js runtime's `awslambda` global that response streaming uses. */
export interface StreamingRuntime {
  streamifyResponse<E, C>(fn: (event: E, responseStream: Writable, context: C) => Promise<void>): unknown;
  HttpResponseStream: {
    from(stream: Writable, metadata: { statusCode: number; headers?: Record<string, string>; cookies?: string[] }): Writable;
  };
}

/**
 * A handler for a Function URL in RESPONSE_STREAM mode: not bound by HTTP API's 30-second cap, up to
 * the function's own timeout, and up to 200 MB of response. It answers what `handler` answers.
 */
export function createStreamHandler(runtime: StreamingRuntime): unknown {
  return runtime.streamifyResponse(async (event: unknown, responseStream: Writable, context: unknown) => {
    const result = (await (handler as (e: unknown, c: unknown) => Promise<LambdaHttpResult>)(event, context)) ?? { statusCode: 500 };
    const out = runtime.HttpResponseStream.from(responseStream, {
      statusCode: result.statusCode,
      headers: result.headers,
      cookies: result.cookies,
    });
    out.end(result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
  });
}

const runtime = (globalThis as { awslambda?: Partial<StreamingRuntime> }).awslambda;

/**
 * Defined inside the Lambda runtime, which provides `awslambda.streamifyResponse`. (Elsewhere the AWS
 * SDK may define an `awslambda` object of its own, without it.)
 */
export const streamHandler =
  typeof runtime?.streamifyResponse === 'function' ? createStreamHandler(runtime as StreamingRuntime) : undefined;
