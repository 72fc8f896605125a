import type { Writable } from 'node:stream';
import { appOptionsFromEnv, readEnv } from './config';
import { createApp } from './createApp';
import { lambdaHttpHandler, type LambdaHttpHandler } from './lambdaHttp';
import { createLogger, type Logger } from './logger';

/**
 * The Lambda handler for API Gateway HTTP API (payload format 2.0) and Function URL events, from an
 * environment. Responses are JSON by default, since HTTP API buffers the whole response;
 * MCP_RESPONSE_MODE=sse sends a text/event-stream body instead.
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger('mcp-server')): LambdaHttpHandler {
  return lambdaHttpHandler(createApp({ ...appOptionsFromEnv(readEnv(env), 'json'), logger }), logger);
}

export const handler = createHandler();

/** The part of the Lambda Node.js runtime's `awslambda` global that response streaming uses. */
export interface StreamingRuntime {
  streamifyResponse<E, C>(fn: (event: E, responseStream: Writable, context: C) => Promise<void>): unknown;
  HttpResponseStream: {
    from(stream: Writable, metadata: { statusCode: number; headers?: Record<string, string>; cookies?: string[] }): Writable;
  };
}

/**
 * A handler for a Function URL in RESPONSE_STREAM mode: not bound by HTTP API's 30-second cap, up to
 * the function's own timeout, and up to 200 MB of response. It answers what `httpHandler` answers.
 */
export function createStreamHandler(runtime: StreamingRuntime, httpHandler: LambdaHttpHandler = handler): unknown {
  return runtime.streamifyResponse(async (event: unknown, responseStream: Writable, context: unknown) => {
    const result = await httpHandler(event, context);
    const out = runtime.HttpResponseStream.from(responseStream, {
      statusCode: result.statusCode,
      headers: result.headers,
      cookies: result.cookies,
    });
    // The runtime sends the status and headers (its prelude) on the first write() only, never on end():
    // write the body, even an empty one, then end.
    out.write(result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
    out.end();
  });
}

const runtime = (globalThis as { awslambda?: Partial<StreamingRuntime> }).awslambda;

/**
 * Defined inside the Lambda runtime, which provides `awslambda.streamifyResponse`. (Elsewhere the AWS
 * SDK may define an `awslambda` object of its own, without it.)
 */
export const streamHandler =
  typeof runtime?.streamifyResponse === 'function' ? createStreamHandler(runtime as StreamingRuntime) : undefined;
