// An Express app as a Lambda handler, for the agent's function. (The MCP servers' functions serve a
// fetch-shaped app instead, with neither Express nor serverless-express: see app/lambdaHttp.ts.)
import serverlessExpress from '@codegenie/serverless-express';
import express, { type Express, type RequestHandler } from 'express';
import { onWriteHeadHeaders } from './http';
import { RPC } from './jsonrpc';
import { errorResult, eventHandler, type LambdaHttpHandler, type LambdaHttpResult } from './lambdaHttp';
import type { Logger } from './logger';

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
 * events, through @codegenie/serverless-express; see `eventHandler` (app/lambdaHttp.ts) for what it
 * answers to events it does not serve.
 */
export function lambdaHttpHandler(app: Express, logger: Logger): LambdaHttpHandler {
  const proxy = serverlessExpress({
    app: express().disable('x-powered-by').use(headersThroughSetHeader, socketAcceptsWrites, app),
    // Set, so that serverless-express does not guess it (and throw) from the event.
    eventSourceName: 'AWS_API_GATEWAY_V2',
    log: serverlessExpressLog(logger),
  }) as unknown as (event: unknown, context: unknown) => Promise<LambdaHttpResult | undefined>;

  return eventHandler(logger, async (event, original, context) => {
    // serverless-express reads `headers` unconditionally; an event may leave it out when there are none.
    const result = await proxy({ ...original, headers: event.headers ?? {} }, context ?? {});
    if (!result || typeof result.statusCode !== 'number') throw new Error('serverless-express gave no HTTP result');
    // serverless-express's own failure: 500 with an empty body.
    if (result.statusCode === 500 && !result.body) return errorResult(500, RPC.INTERNAL_ERROR, 'Internal error');
    return result;
  });
}
