import type { Writable } from 'node:stream';
import { appOptionsFromEnv, readEnv } from './config';
import { ENV } from './contract';
import { createFetchApp, type AppOptions } from './fetchApp';
import type { LoadedServer } from './mcp/define';
import { lambdaFetchHandler, type LambdaHttpHandler } from './lambdaHttp';
import { createLogger, type Logger } from './logger';
import { flushTraces } from './observability/tracing';
import { serverCatalog, type ServerCatalog } from './servers/catalog';

/**
 * The server a function serves: MCP_SERVER, or the only server of its bundle (a per-server bundle's
 * catalog has one). Throws naming the servers when there are several and MCP_SERVER is unset.
 */
export function lambdaServer(mcpServer: string | undefined, catalog: ServerCatalog): string {
  if (mcpServer !== undefined) return mcpServer;
  if (catalog.names.length === 1) return catalog.names[0]!;
  throw new Error(`${ENV.server} must name the server this function serves: one of ${catalog.names.join(', ')}`);
}

/**
 * The Lambda handler for API Gateway HTTP API (payload format 2.0) and Function URL events, from an
 * environment: the server MCP_SERVER names, or the bundle's only server. Responses are JSON by default,
 * since HTTP API buffers the whole response; MCP_RESPONSE_MODE=sse sends a text/event-stream body instead.
 */
export function createHandler(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = createLogger('mcp-server'),
  catalog: ServerCatalog = serverCatalog(),
): LambdaHttpHandler {
  const settings = readEnv(env, catalog);
  const name = lambdaServer(settings.MCP_SERVER, catalog);
  const options = appOptionsFromEnv(settings, 'json', undefined, logger);
  if (!options.auth) logger.warn(`no authorization (${ENV.authMode} unset or none): the MCP endpoint accepts requests without a token`);
  return lambdaServerHandler({ name, definition: catalog.load(name) }, { ...options, logger });
}

/** The Lambda handler of one server: its fetch-shaped app (what `createApp` answers, without Express) behind `lambdaFetchHandler`. */
export function lambdaServerHandler(server: LoadedServer, options: AppOptions & { logger: Logger }): LambdaHttpHandler {
  const handle = lambdaFetchHandler(createFetchApp(server, options), options.logger);
  // The first invocation of this execution environment is its cold start.
  let cold = true;
  return async (event, context) => {
    if (cold) {
      cold = false;
      options.metrics?.coldStart?.(server.name);
    }
    const result = await handle(event, context);
    // The execution environment is frozen once the invocation returns: its spans are sent first.
    await flushTraces();
    return result;
  };
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
