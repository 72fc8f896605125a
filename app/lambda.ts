import type { ServerResponse } from 'node:http';
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
